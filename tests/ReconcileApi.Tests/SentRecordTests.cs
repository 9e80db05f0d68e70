using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// A JSON record sent again byte for byte is recognised by its bytes (SentRecord) and counted unchanged without being
/// read. The tests overwrite a stored order's content hash: a record that is read again then looks changed, one that is
/// recognised does not — which shows which path answered.
/// </summary>
public sealed class SentRecordTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static readonly string Body = JsonSerializer.Serialize(new[] { Order("S1", total: 50m), Order("S2", total: 60m) }, ApiFactory.Json);

    async Task<JsonElement> SendAsync(WorkspaceClient ws, string body, string query = "", string source = "store")
    {
        var response = await ws.Http.PostAsync($"/api/v1/sources/{source}/orders{query}", JsonBody(body));
        var receipt = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.Created, receipt.ToString());
        return receipt;
    }

    static (int Inserted, int Updated, int Unchanged, int Repeated) Counts(JsonElement r) => (r.GetProperty("inserted").GetInt32(),
        r.GetProperty("updated").GetInt32(), r.GetProperty("unchanged").GetInt32(), r.GetProperty("repeated").GetInt32());

    async Task<int> ForgetContentAsync(WorkspaceClient ws)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        return await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId).ExecuteUpdateAsync(s => s.SetProperty(o => o.ContentHash, "forgotten"));
    }

    async Task<List<byte[]?>> SentHashesAsync(WorkspaceClient ws)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        return await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId).OrderBy(o => o.OrderId).Select(o => o.SentHash).ToListAsync();
    }

    [Fact]
    public async Task The_same_bytes_again_are_unchanged_without_being_read()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        Assert.Equal((2, 0, 0, 0), Counts(await SendAsync(ws, Body)));
        Assert.All(await SentHashesAsync(ws), h => Assert.Equal(16, h!.Length));
        Assert.Equal(2, await ForgetContentAsync(ws));

        var again = await SendAsync(ws, Body);

        Assert.Equal((0, 0, 2, 0), Counts(again));
        Assert.Empty(again.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task A_pascal_case_record_sent_again_is_recognised_by_its_OrderId()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const string pascal = """[{"OrderId": "PC-1", "OrderDate": "2026-11-02T10:00:00Z", "Total": 12.5}]""";
        Assert.Equal((1, 0, 0, 0), Counts(await SendAsync(ws, pascal)));
        Assert.Equal(1, await ForgetContentAsync(ws));

        Assert.Equal((0, 0, 1, 0), Counts(await SendAsync(ws, pascal)));
    }

    /// <summary>A workspace whose orders were sent and then sent again unchanged: the gate takes its store side as being resent.</summary>
    async Task<(WorkspaceClient Ws, WriteGate Gate)> ResendingAsync()
    {
        var ws = await factory.CreateWorkspaceAsync();
        await SendAsync(ws, Body);
        Assert.Equal((0, 0, 2, 0), Counts(await SendAsync(ws, Body)));
        var gate = factory.Services.GetRequiredService<WriteGate>();
        Assert.True(gate.Resending(ws.WorkspaceId, ReconcileApi.Engine.OrderSource.Store));
        return (ws, gate);
    }

    /// <summary>
    /// During a resend (the side's last lookup found most orders stored) the lookup waits for a turn at the write gate and
    /// reads through the gate's one connection, whose page cache other connections' commits do not empty (WriteGate.OnWriterConnection):
    /// it then sees what a write holding the gate changed. Here that write makes S1's stored bytes another's and forgets its
    /// content: S1 is read again and updated, S2 still recognised. A lookup made before the wait (through a pooled connection,
    /// as new orders do) would have recognised both.
    /// </summary>
    [Fact]
    public async Task A_resends_lookup_waits_its_turn_at_the_gate_and_sees_the_write_before_it()
    {
        var (ws, gate) = await ResendingAsync();
        using var _ = ws;
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();

        var held = await gate.EnterAsync(db, ws.WorkspaceId, CancellationToken.None);
        var resend = SendAsync(ws, Body);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (gate.Waiting < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the resend never waited at the gate");
            await Task.Delay(10);
        }
        await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId && o.OrderId == "S1")
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.SentHash, new byte[16]).SetProperty(o => o.ContentHash, "forgotten"));
        held.Dispose();

        Assert.Equal((0, 1, 1, 0), Counts(await resend));
    }

    /// <summary>
    /// A resend whose every record names a stored order writes in the turn its lookup took: one turn a request, not a second
    /// queue behind the other clients' lookups. A batch with a new order releases its lookup's turn (reading and validating new
    /// orders never holds the gate) and writes in a turn of its own.
    /// </summary>
    [Fact]
    public async Task A_resend_writes_in_the_turn_it_looked_up_in()
    {
        var (ws, gate) = await ResendingAsync();
        using var _ = ws;

        var before = gate.TurnsOf(ws.WorkspaceId);
        Assert.Equal((0, 0, 2, 0), Counts(await SendAsync(ws, Body)));
        Assert.Equal(1, gate.TurnsOf(ws.WorkspaceId) - before);

        before = gate.TurnsOf(ws.WorkspaceId);
        var withANewOrder = JsonSerializer.Serialize(JsonDocument.Parse(Body).RootElement.EnumerateArray().Append(JsonSerializer.SerializeToElement(Order("S-new"), ApiFactory.Json)), ApiFactory.Json);
        Assert.Equal(1, Counts(await SendAsync(ws, withANewOrder)).Item1);
        Assert.Equal(2, gate.TurnsOf(ws.WorkspaceId) - before);
    }

    /// <summary>
    /// Resends from several clients at once go through the gate's one connection a turn at a time: each gets its own receipt
    /// and the changed orders among them are stored, none lost or taken from another request.
    /// </summary>
    [Fact]
    public async Task Resends_from_several_clients_at_once_each_get_their_own_receipt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        string Batch(int k, bool changed) => JsonSerializer.Serialize(Enumerable.Range(0, 20)
            .Select(i => Order($"C{k}-{i}", total: changed && i < 5 ? 999m : 10m + i)), ApiFactory.Json);
        for (var k = 0; k < 8; k++)
            Assert.Equal((20, 0, 0, 0), Counts(await SendAsync(ws, Batch(k, changed: false))));

        var receipts = await Task.WhenAll(Enumerable.Range(0, 8).Select(k => SendAsync(ws, Batch(k, changed: k % 2 == 1))));

        for (var k = 0; k < 8; k++)
            Assert.Equal(k % 2 == 1 ? (0, 5, 15, 0) : (0, 0, 20, 0), Counts(receipts[k]));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        Assert.Equal(20, await db.Orders.CountAsync(o => o.WorkspaceId == ws.WorkspaceId && o.Version == 2));
    }

    [Fact]
    public async Task The_same_orders_in_other_bytes_are_read_and_their_bytes_remembered()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await SendAsync(ws, Body);
        var before = await SentHashesAsync(ws);
        var indented = JsonSerializer.Serialize(JsonDocument.Parse(Body).RootElement, new JsonSerializerOptions { WriteIndented = true });

        // Read: the content is the same, so unchanged; the new bytes' hash is kept for the next resend.
        Assert.Equal((0, 0, 2, 0), Counts(await SendAsync(ws, indented)));
        var after = await SentHashesAsync(ws);
        Assert.All(after.Zip(before), p => Assert.NotEqual(p.First, p.Second));
        await ForgetContentAsync(ws);
        Assert.Equal((0, 0, 2, 0), Counts(await SendAsync(ws, indented)));
        // The first bytes are no longer the stored ones: read again, and the forgotten content hash makes them an update.
        Assert.Equal((0, 2, 0, 0), Counts(await SendAsync(ws, Body)));
    }

    [Fact]
    public async Task An_order_read_with_a_warning_is_read_again_and_warned_again()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var undated = Order("S1");
        undated.Remove("orderDate");
        var body = JsonSerializer.Serialize(new[] { undated }, ApiFactory.Json);
        var first = await SendAsync(ws, body);
        Assert.Equal("orderDate", Assert.Single(first.GetProperty("warnings").EnumerateArray()).GetProperty("field").GetString());
        Assert.Null(Assert.Single(await SentHashesAsync(ws)));

        var again = await SendAsync(ws, body);

        Assert.Equal((0, 0, 1, 0), Counts(again));
        Assert.Equal(first.GetProperty("warnings").ToString(), again.GetProperty("warnings").ToString());
    }

    [Fact]
    public async Task The_same_bytes_read_in_another_zone_are_read_again()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var local = Order("S1");
        local["orderDate"] = "2026-09-01T10:00:00";
        var body = JsonSerializer.Serialize(new[] { local }, ApiFactory.Json);
        Assert.Equal((1, 0, 0, 0), Counts(await SendAsync(ws, body, "?timezone=UTC")));
        Assert.Equal((0, 0, 1, 0), Counts(await SendAsync(ws, body, "?timezone=UTC")));

        var elsewhere = await SendAsync(ws, body, "?timezone=America/New_York");

        Assert.Equal((0, 1, 0, 0), Counts(elsewhere));
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/S1")).Json();
        Assert.Equal(new DateTime(2026, 9, 1, 14, 0, 0, DateTimeKind.Utc), stored.GetProperty("order").GetProperty("orderDate").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public async Task A_record_recognised_twice_in_one_body_is_one_unchanged_and_one_repeat()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var one = JsonSerializer.Serialize(Order("S1"), ApiFactory.Json);
        await SendAsync(ws, $"[{one}]");
        await ForgetContentAsync(ws);

        var twice = await SendAsync(ws, $"[{one},{one}]");

        Assert.Equal((0, 0, 1, 1), Counts(twice));
        var warning = Assert.Single(twice.GetProperty("warnings").EnumerateArray());
        Assert.Equal((0, "S1", "orderId"), (warning.GetProperty("index").GetInt32(), warning.GetProperty("orderId").GetString(), warning.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task Vendor_json_is_recognised_by_its_id_field_and_a_numeric_order_id_too()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var shopify = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vendor", "Payloads", "shopify-order-refund.json"));
        var numeric = Order("77").Select(p => p.Key == "orderId" ? "\"orderId\": 77" : $"{JsonSerializer.Serialize(p.Key)}: {JsonSerializer.Serialize(p.Value, ApiFactory.Json)}");
        var canonical = "[{" + string.Join(",", numeric) + "}]";
        Assert.Equal(1, Counts(await SendAsync(ws, shopify, "?format=shopify")).Inserted);
        Assert.Equal(1, Counts(await SendAsync(ws, canonical, source: "keap")).Inserted);
        Assert.Equal(2, (await SentHashesAsync(ws)).Count(h => h is not null));
        await ForgetContentAsync(ws);

        Assert.Equal((0, 0, 1, 0), Counts(await SendAsync(ws, shopify, "?format=shopify")));
        Assert.Equal((0, 0, 1, 0), Counts(await SendAsync(ws, canonical, source: "keap")));
        // Another source never matches: the same bytes are a new order there.
        Assert.Equal((1, 0, 0, 0), Counts(await SendAsync(ws, canonical, source: "store")));
    }
}
