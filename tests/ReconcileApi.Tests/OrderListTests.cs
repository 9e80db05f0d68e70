using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #12: GET /api/v1/sources/{source}/orders browses what is stored.</summary>
public sealed class OrderListTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static async Task<JsonElement> ListAsync(WorkspaceClient ws, string query)
    {
        var response = await ws.Http.GetAsync("/api/v1/sources/" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    static List<string> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.Str("orderId")).ToList();

    [Fact]
    public async Task StoredOrders_AreListedLatestFirst_PagedAndFilteredByKeyEmailAndSince()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", email: "Ann@Example.com"), Order("S2", "#11001"), Order("S3", "#1003") });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", status: "PAID"), Order("K2", "Shopify Order #1002", status: "PAID") });
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        var later = factory.Clock.GetUtcNow().UtcDateTime;
        await ws.Http.IngestAsync("store", new[] { Order("S4", "#1004") });

        Assert.Equal(["S4", "S3", "S2", "S1"], Ids(await ListAsync(ws, "store/orders")));
        var first = await ListAsync(ws, "store/orders?limit=3");
        Assert.Equal(["S4", "S3", "S2"], Ids(first));
        Assert.Equal(["S1"], Ids(await ListAsync(ws, $"store/orders?limit=3&cursor={first.Str("nextCursor")}")));
        var item = (await ListAsync(ws, "store/orders?limit=1")).GetProperty("items")[0];
        Assert.Equal("#1004", item.GetProperty("order").Str("orderNumber"));
        Assert.Equal(1, item.GetProperty("version").GetInt32());

        // The key as the pattern reads it: 1001 is #1001, not #11001; on the Keap side "Shopify Order #1001".
        Assert.Equal(["S1"], Ids(await ListAsync(ws, "store/orders?orderKey=1001")));
        Assert.Equal(["K1"], Ids(await ListAsync(ws, "keap/orders?orderKey=1001")));
        Assert.Equal(["S2"], Ids(await ListAsync(ws, "store/orders?orderKey=S2")));
        Assert.Equal(["S1"], Ids(await ListAsync(ws, "store/orders?email=ann@example.COM")));
        Assert.Equal(["S4"], Ids(await ListAsync(ws, $"store/orders?since={later:O}")));
    }

    [Fact]
    public async Task EmailFilter_FindsACustomersOrdersAcrossIdBlocks_LatestFirst_FromTheBlockIndex()
    {
        // The SQLite index is keyed by blocks of 4,096 order ids (IdBlockIndexes): Ann's orders sit in three blocks, with
        // another workspace's orders and another customer's between them, and pages must cross from block to block.
        using var ws = await factory.CreateWorkspaceAsync();
        using var other = await factory.CreateWorkspaceAsync();
        var filler = Enumerable.Range(0, 4_500).Select(i => Order($"X{i}", $"#{i}", email: "ann@example.com")).ToList();
        await ws.Http.IngestAsync("store", new[] { Order("A1", "#1", email: "ann@example.com"), Order("B1", "#2", email: "bob@example.com") });
        foreach (var chunk in filler.Chunk(1_000))
            await other.Http.IngestAsync("store", chunk);
        await ws.Http.IngestAsync("store", new[] { Order("A2", "#3", email: "Ann@example.com"), Order("A3", "#4", email: "ann@example.com") });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1", status: "PAID", email: "ann@example.com") });
        foreach (var chunk in filler.Chunk(1_000))
            await other.Http.IngestAsync("keap", chunk);
        await ws.Http.IngestAsync("store", new[] { Order("A4", "#5", email: "ann@example.com"), Order("B2", "#6", email: "bob@example.com") });

        Assert.Equal(["A4", "A3", "A2", "A1"], Ids(await ListAsync(ws, "store/orders?email=ann@example.com")));
        var first = await ListAsync(ws, "store/orders?email=ann@example.com&limit=2");
        Assert.Equal(["A4", "A3"], Ids(first));
        var second = await ListAsync(ws, $"store/orders?email=ann@example.com&limit=2&cursor={first.Str("nextCursor")}");
        Assert.Equal(["A2", "A1"], Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.Equal(["B2", "B1"], Ids(await ListAsync(ws, "store/orders?email=bob@example.com")));
        Assert.Equal(["K1"], Ids(await ListAsync(ws, "keap/orders?email=ann@example.com")));
        Assert.Empty(Ids(await ListAsync(ws, "store/orders?email=nobody@example.com")));

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var ids = await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId && o.Source == OrderSource.Store).Select(o => o.Id).ToListAsync();
        Assert.Equal(3, ids.Select(id => id / IdBlockIndexes.Block).Distinct().Count());
        var query = await IdBlockIndexes.WhereEmailAsync(db, db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId && o.Source == OrderSource.Store),
            ws.WorkspaceId, OrderSource.Store, "ann@example.com", CancellationToken.None);
        Assert.Contains("SEARCH o USING INDEX IX_Orders_WorkspaceId_Source_IdBlock_CustomerEmail (WorkspaceId=? AND Source=? AND <expr>=? AND CustomerEmail=?)", await QueryPlans.OfAsync(db, query.OrderByDescending(o => o.Id).Take(3)));
    }

    [Fact]
    public async Task TheRunsIndex_IsKeyedByIdBlock_AndTheNewestOrderDateIsFoundAcrossBlocks()
    {
        // The run's SQLite index is (workspace, source, block of ids, date, binary form) (IdBlockIndexes): the newest order
        // date is the newest of each block's, so an order dated later but stored in an earlier block must still win.
        using var ws = await factory.CreateWorkspaceAsync();
        using var other = await factory.CreateWorkspaceAsync();
        var day = new DateTime(2026, 10, 5, 12, 0, 0, DateTimeKind.Utc);
        await ws.Http.IngestAsync("store", new[] { Order("A1", "#1", date: day) });
        foreach (var chunk in Enumerable.Range(0, 4_500).Select(i => Order($"X{i}", $"#{i}", date: day.AddDays(3))).Chunk(1_000))
            await other.Http.IngestAsync("store", chunk);
        var undated = Order("A4", "#4");
        undated.Remove("orderDate");
        await ws.Http.IngestAsync("store", new[] { Order("A2", "#2", date: day.AddDays(-4)), Order("A3", "#3", date: day.AddYears(4)), undated });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1", status: "PAID", date: day.AddDays(-1)) });

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var ids = await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId && o.Source == OrderSource.Store).Select(o => o.Id).ToListAsync();
        Assert.Equal(2, ids.Select(id => id / IdBlockIndexes.Block).Distinct().Count());
        await db.Database.OpenConnectionAsync();
        async Task<DateTime?> Newest(OrderSource side, DateTime until, Guid? workspace = null) =>
            await IdBlockIndexes.NewestOrderDateAsync(db, workspace ?? ws.WorkspaceId, side, until, CancellationToken.None);
        var now = day.AddDays(10);
        Assert.Equal(day, await Newest(OrderSource.Store, now));
        Assert.Equal(DateTimeKind.Utc, (await Newest(OrderSource.Store, now))!.Value.Kind);
        Assert.Equal(day.AddDays(-4), await Newest(OrderSource.Store, day.AddTicks(-1)));
        Assert.Equal(day, await Newest(OrderSource.Store, day));
        Assert.Null(await Newest(OrderSource.Store, day.AddDays(-5)));
        Assert.Equal(day.AddYears(4), await Newest(OrderSource.Store, DateTime.MaxValue.AddDays(-1).ToUniversalTime()));
        Assert.Equal(day.AddDays(-1), await Newest(OrderSource.Keap, now));
        Assert.Equal(day.AddDays(3), await Newest(OrderSource.Store, now, other.WorkspaceId));
        Assert.Null(await Newest(OrderSource.Keap, now, other.WorkspaceId));
        // Through the block index: a max over the side's dates would read every entry of the side (no date index to seek).
        var sent = new SentCommands();
        await using (var watched = new SqliteReconcileDbContext(new DbContextOptionsBuilder<SqliteReconcileDbContext>()
            .UseSqlite(db.Database.GetConnectionString()).AddInterceptors(sent).Options))
            Assert.Equal(day, await IdBlockIndexes.NewestOrderDateAsync(watched, ws.WorkspaceId, OrderSource.Store, now, CancellationToken.None));
        Assert.NotEmpty(sent.Texts);
        Assert.All(sent.Texts, text => Assert.Contains("\"Id\" / 4096", text));

        // A run reads a side's window from the index alone, two seeks a block (the undated orders, the window's range), and
        // reads what EF's plain query reads: bounds included at the start and not at the end, undated orders in every window.
        var store = await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId && o.Source == OrderSource.Store).ToDictionaryAsync(o => o.OrderId, o => o.Id);
        foreach (var (workspace, from, to, expected) in new[]
        {
            (ws.WorkspaceId, day.AddDays(-1), day.AddDays(1), new[] { "A1", "A4" }),
            (ws.WorkspaceId, day.AddDays(-4), day, new[] { "A2", "A4" }),
            (ws.WorkspaceId, day, day.AddTicks(1), new[] { "A1", "A4" }),
            (ws.WorkspaceId, day.AddYears(-1), day.AddYears(5), new[] { "A1", "A2", "A3", "A4" }),
            (other.WorkspaceId, day, day.AddDays(1), Array.Empty<string>()),
        })
        {
            var plain = await IdBlockIndexes.Window(db, workspace, OrderSource.Store, from, to).Select(o => o.Id).ToListAsync();
            var byBlock = new List<long>();
            await using (var command = IdBlockIndexes.WindowCommand(db, workspace, OrderSource.Store, from, to))
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    byBlock.Add(reader.GetInt64(0));
            Assert.Equal(plain.Order(), byBlock.Order());
            if (workspace == ws.WorkspaceId)
                Assert.Equal(expected.Select(id => store[id]).Order(), byBlock.Order());
        }
        await using (var explain = IdBlockIndexes.WindowCommand(db, ws.WorkspaceId, OrderSource.Store, day, day.AddDays(1)))
        {
            explain.CommandText = "EXPLAIN QUERY PLAN " + explain.CommandText;
            var plan = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                plan.Add(reader.GetString(3));
            Assert.Contains("SEARCH o USING COVERING INDEX IX_Orders_WorkspaceId_Source_IdBlock_OrderDate_Compact (WorkspaceId=? AND Source=? AND <expr>=? AND OrderDate=?)", plan);
            Assert.Contains("SEARCH o USING COVERING INDEX IX_Orders_WorkspaceId_Source_IdBlock_OrderDate_Compact (WorkspaceId=? AND Source=? AND <expr>=? AND OrderDate>? AND OrderDate<?)", plan);
        }
    }

    sealed class SentCommands : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public List<string> Texts { get; } = [];

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    [Theory]
    [InlineData("store/orders?since=yesterday", HttpStatusCode.BadRequest)]
    [InlineData("store/orders?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("store/orders?cursor=abc", HttpStatusCode.BadRequest)]
    [InlineData("shop/orders", HttpStatusCode.NotFound)]
    public async Task BadQuery_IsAProblem(string query, HttpStatusCode status)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await (await ws.Http.GetAsync("/api/v1/sources/" + query)).AssertProblemAsync(status);
    }
}
