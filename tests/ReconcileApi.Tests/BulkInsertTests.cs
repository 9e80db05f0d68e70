using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// Issue #13: <see cref="BulkInsert"/> binds values straight into SQLite, so it must store every column exactly as
/// EF's SaveChanges does — the same text for dates, GUIDs, enums and money, the same nulls — for every table it
/// writes. Each case stores one row each way and compares the rows column by column with SQLite's <c>quote()</c>.
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
            CustomerEmail = null, Version = 3, ContentHash = new string('a', 64), Payload = "{\"orderId\":\"x\",\"name\":\"山田 'quoted'\"}",
            Compact = [1, 0, 255], BatchId = batchId, CreatedAt = DateTime.MinValue, UpdatedAt = DateTime.MaxValue,
        }, "OrderId");

        var discrepancy = (int i) => new Discrepancy
        {
            WorkspaceId = ws.WorkspaceId, IdentityKey = $"bulk|{i}", Category = Category.AmountMismatch, Severity = Severity.High, SeverityRank = 1,
            State = DiscrepancyState.Acknowledged, OrderKey = "1001", StoreOrderId = "S1", KeapOrderId = null, DuplicateOrderId = null, CustomerEmail = "a@b.c",
            OrderDate = local, Field = "total", StoreValue = "50.00", KeapValue = "40.00", Difference = -12345.6789m, Impact = 0.0001m, Currency = "EUR",
            CauseCode = "keap_total_differs", CauseExplanation = "Explained — with a dash", SuggestedAction = "{\"code\":\"x\"}", LineDifferences = "[]",
            FirstSeenRunId = runId, LastSeenRunId = runId, Occurrences = 2, DetectedAt = local, UpdatedAt = local.AddDays(1),
            ResolutionAction = ResolutionAction.UpdatedInKeap, ResolutionNote = "", ResolvedBy = null, ResolvedAt = null, Version = 7,
        };
        await AssertSameAsync(db, "Discrepancies", discrepancy, "IdentityKey");

        var ids = await db.Discrepancies.Where(d => d.WorkspaceId == ws.WorkspaceId && d.IdentityKey.StartsWith("bulk|")).Select(d => d.Id).ToListAsync();
        await AssertSameAsync(db, "DiscrepancyEvents", i => new DiscrepancyEvent
        {
            DiscrepancyId = ids[0], Kind = DiscrepancyEventKind.StateChanged, At = local, Actor = "system", FromState = null, ToState = DiscrepancyState.Resolved,
            Action = ResolutionAction.VerifiedFixed, Note = "n", RunId = runId, Values = "{\"impact\":1.5}",
        });
        await AssertSameAsync(db, "RunDiscrepancies", i => new RunDiscrepancy { RunId = runId, DiscrepancyId = ids[i] }, "DiscrepancyId");
        await AssertSameAsync(db, "RunPendingOrders", i => new RunPendingOrder { RunId = runId, Source = OrderSource.Store, OrderId = "S9", OrderKey = null, OrderDate = local });
        await AssertSameAsync(db, "RunDays", i => new RunDay
        {
            RunId = runId, WorkspaceId = ws.WorkspaceId, Date = new DateOnly(2030, 1, 1 + i), Complete = true, StoreOrders = 3, KeapOrders = 0,
            StoreRevenue = 1234.5678m, KeapRevenue = -0.5m, Matched = 2, MissingInKeap = 1,
        }, "Date");
    }

    /// <summary>
    /// Row 0 through SaveChanges, row 1 through the bulk insert; every column but the generated key and the ones that
    /// must differ (<paramref name="differing"/>) holds the same SQL value.
    /// </summary>
    static async Task AssertSameAsync<T>(ReconcileDbContext db, string table, Func<int, T> make, params string[] differing) where T : class
    {
        db.Add(make(0));
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await db.InsertAsync([make(1)], CancellationToken.None);
            await transaction.CommitAsync();
        }
        var rows = await LastRowsAsync(db, table, 2);
        foreach (var (column, bulk) in rows[0])
        {
            if (column == "Id" || differing.Contains(column))
                continue;
            Assert.True(rows[1][column] == bulk, $"{table}.{column}: SaveChanges stored {rows[1][column]}, the bulk insert {bulk}");
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
