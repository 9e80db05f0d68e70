using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// Issue #13: <see cref="BulkInsert"/> binds values straight into SQLite, so it must store every column exactly as
/// EF's SaveChanges does — the same text for dates, GUIDs, enums and money, the same nulls — for every table it
/// writes. Each case stores three rows each way and compares them column by column with SQLite's <c>quote()</c>.
/// The three rows share some values and differ in others (a value, then null, then another), because the bulk
/// insert binds only what changed from the row before; and the generated key it sets must be the stored one.
/// </summary>
public sealed class BulkInsertTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_bulk_inserted_table_stores_what_SaveChanges_stores()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 50m, date: Day) });
        var run = await ws.Http.RunAsync(Window);
        var runId = Guid.Parse(run.Str("id"));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var batchId = await db.Batches.Where(b => b.WorkspaceId == ws.WorkspaceId).Select(b => b.Id).FirstAsync();
        var local = new DateTime(2026, 3, 8, 2, 30, 0, 123, DateTimeKind.Unspecified).AddTicks(4567);

        await AssertSameAsync(db, "Orders", i => new StoredOrder
        {
            WorkspaceId = ws.WorkspaceId, Source = OrderSource.Keap, OrderId = $"bulk-{i}", OrderDate = local, OrderNumber = "Ørder #1",
            CustomerEmail = (i % 3) switch { 0 => null, 1 => "a@b.c", _ => null }, Version = 3, ContentHash = new string('a', 64),
            Payload = "{\"orderId\":\"x\",\"name\":\"山田 'quoted'\"}", Compact = i % 3 == 2 ? null : [1, 0, (byte)(255 - i % 3)], BatchId = batchId, CreatedAt = DateTime.MinValue, UpdatedAt = DateTime.MaxValue,
        }, "OrderId");

        var discrepancy = (int i) => new Discrepancy
        {
            WorkspaceId = ws.WorkspaceId, IdentityKey = $"bulk|{i}", Category = Category.AmountMismatch, Severity = Severity.High, SeverityRank = 1,
            State = DiscrepancyState.Acknowledged, OrderKey = "1001", StoreOrderId = "S1", KeapOrderId = i % 3 == 1 ? "K1" : null, DuplicateOrderId = null,
            CustomerEmail = "a@b.c", OrderDate = i % 3 == 2 ? local.AddTicks(1) : local, Field = "total", StoreValue = "50.00", KeapValue = "40.00",
            Difference = i % 3 == 1 ? null : -12345.6789m, Impact = i % 3 == 2 ? 0.00010m : 0.0001m, Currency = "EUR",
            CauseCode = "keap_total_differs", CauseExplanation = "Explained — with a dash", SuggestedAction = "{\"code\":\"x\"}", LineDifferences = "[]",
            FirstSeenRunId = runId, LastSeenRunId = runId, Occurrences = 2, DetectedAt = local, UpdatedAt = local.AddDays(1),
            ResolutionAction = ResolutionAction.UpdatedInKeap, ResolutionNote = "", ResolvedBy = null, ResolvedAt = null, Version = 7,
        };
        await AssertSameAsync(db, "Discrepancies", discrepancy, "IdentityKey");

        var ids = await db.Discrepancies.Where(d => d.WorkspaceId == ws.WorkspaceId && d.IdentityKey.StartsWith("bulk|")).Select(d => d.Id).ToListAsync();
        await AssertSameAsync(db, "DiscrepancyEvents", i => new DiscrepancyEvent
        {
            DiscrepancyId = ids[0], Kind = DiscrepancyEventKind.StateChanged, At = local, Actor = "system", FromState = i % 3 == 1 ? DiscrepancyState.Open : null,
            ToState = DiscrepancyState.Resolved, Action = ResolutionAction.VerifiedFixed, Note = "n", RunId = i % 3 == 2 ? null : runId, Values = "{\"impact\":1.5}",
        });
        await AssertSameAsync(db, "RunDiscrepancies", i => new RunDiscrepancy { RunId = runId, DiscrepancyId = ids[i] }, "DiscrepancyId");
        await AssertSameAsync(db, "RunPendingOrders", i => new RunPendingOrder { RunId = runId, Source = OrderSource.Store, OrderId = "S9", OrderKey = i % 3 == 1 ? "9" : null, OrderDate = local });
        await AssertSameAsync(db, "RunDays", i => new RunDay
        {
            RunId = runId, WorkspaceId = ws.WorkspaceId, Date = new DateOnly(2030, 1, 1 + i), Complete = true, StoreOrders = 3, KeapOrders = 0,
            StoreRevenue = 1234.5678m, KeapRevenue = i % 3 == 1 ? 0m : -0.5m, Matched = 2, MissingInKeap = 1,
        }, "Date");
    }

    const int Rows = 3;

    /// <summary>
    /// Rows 0–2 through SaveChanges, rows 3–5 through the bulk insert; row k and row k + 3 hold the same SQL value in
    /// every column but the generated key and the ones that must differ (<paramref name="differing"/>), and a bulk row's
    /// generated key, if the table has one, is set on its entity.
    /// </summary>
    static async Task AssertSameAsync<T>(ReconcileDbContext db, string table, Func<int, T> make, params string[] differing) where T : class
    {
        for (var i = 0; i < Rows; i++)
        {
            db.Add(make(i));
            await db.SaveChangesAsync();
        }
        db.ChangeTracker.Clear();
        var bulk = Enumerable.Range(Rows, Rows).Select(make).ToList();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await db.InsertAsync(bulk, CancellationToken.None);
            await transaction.CommitAsync();
        }
        // Newest first: the bulk rows, then the saved ones, each in reverse.
        var rows = await LastRowsAsync(db, table, 2 * Rows);
        for (var k = 0; k < Rows; k++)
        {
            var (saved, inserted) = (rows[2 * Rows - 1 - k], rows[Rows - 1 - k]);
            foreach (var (column, value) in inserted)
            {
                if (column == "Id" || differing.Contains(column))
                    continue;
                Assert.True(saved[column] == value, $"{table}.{column}, row {k}: SaveChanges stored {saved[column]}, the bulk insert {value}");
            }
            if (db.Model.FindEntityType(typeof(T))!.FindProperty("Id") is { ValueGenerated: ValueGenerated.OnAdd } key)
                Assert.Equal(inserted["Id"], $"{key.PropertyInfo!.GetValue(bulk[k])} integer");
        }
    }

    /// <summary>The newest rows of a table, newest first, each column as SQLite's quote() renders its stored value and type.</summary>
    static async Task<List<Dictionary<string, string>>> LastRowsAsync(ReconcileDbContext db, string table, int count)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var columns = connection.CreateCommand();
        columns.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        var names = new List<string>();
        await using (var reader = await columns.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                names.Add(reader.GetString(0));
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {string.Join(", ", names.Select(n => $"quote(\"{n}\") || ' ' || typeof(\"{n}\")"))} FROM \"{table}\" ORDER BY rowid DESC LIMIT {count}";
        var rows = new List<Dictionary<string, string>>();
        await using (var reader = await select.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add(names.Select((n, i) => (n, reader.GetString(i))).ToDictionary(p => p.n, p => p.Item2));
        Assert.Equal(count, rows.Count);
        return rows;
    }
}
