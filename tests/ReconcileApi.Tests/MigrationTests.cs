using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using ReconcileApi.Data;
using Xunit.Abstractions;

namespace ReconcileApi.Tests;

/// <summary>
/// Each provider's migrations folder must be in step with the one model, and the SQL Server script
/// must be valid T-SQL. No SQL Server is needed: nothing here opens a SQL Server connection.
/// </summary>
public sealed class MigrationTests(ITestOutputHelper output)
{
    // A syntactically valid connection string; it is never opened.
    const string SqlServerConnection = "Server=.;Database=x;TrustServerCertificate=True";

    static readonly string[] Tables =
        ["Workspaces", "ApiKeys", "Orders", "OrderVersions", "Batches", "Runs", "Discrepancies", "RunDiscrepancies", "DiscrepancyEvents", "SettingsVersions"];

    static SqlServerReconcileDbContext SqlServer() =>
        new(new DbContextOptionsBuilder<SqlServerReconcileDbContext>().UseSqlServer(SqlServerConnection).Options);

    static SqliteReconcileDbContext Sqlite(string path) =>
        new(new DbContextOptionsBuilder<SqliteReconcileDbContext>().UseSqlite($"Data Source={path}").Options);

    [Fact]
    public void SqlServerMigrations_AreInStepWithTheModel()
    {
        using var db = SqlServer();
        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a SQL Server migration; run scripts/add-migration.sh <Name>.");
    }

    [Fact]
    public void SqliteMigrations_AreInStepWithTheModel()
    {
        using var db = Sqlite(Path.Combine(Path.GetTempPath(), $"reconcile-never-opened-{Guid.NewGuid():N}.db"));
        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a SQLite migration; run scripts/add-migration.sh <Name>.");
    }

    [Fact]
    public void SqlServerIdempotentScript_ParsesAsTSql_AndCreatesEveryTable()
    {
        using var db = SqlServer();
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        // The parser understands GO batch separators itself.
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var fragment = parser.Parse(new StringReader(script), out var errors);

        if (errors.Count > 0)
            output.WriteLine(script);
        Assert.True(errors.Count == 0, "The idempotent SQL Server script does not parse:\n" +
            string.Join('\n', errors.Select(e => $"  line {e.Line}, column {e.Column}: {e.Number} {e.Message}")));
        Assert.NotEmpty(((TSqlScript)fragment).Batches);
        foreach (var table in Tables)
            Assert.Contains($"CREATE TABLE [{table}]", script);
        Assert.Contains("[__EFMigrationsHistory]", script);
        // Idempotent: every migration is guarded by a check of the history table.
        Assert.Contains("IF NOT EXISTS", script);
    }

    /// <summary>
    /// On SQL Server order ids, Idempotency-Keys and a discrepancy's identity compare by code points (the default collation
    /// ignores case): the migration alters each column with its index — and the key's primary key — dropped around it, as SQL
    /// Server refuses to alter a column an index or key depends on.
    /// </summary>
    [Fact]
    public void SqlServerOrdinalIdsMigration_AltersEachColumn_WithWhatDependsOnItDroppedAroundIt()
    {
        using var db = SqlServer();
        var migrations = db.Database.GetMigrations().ToList();
        var ordinal = migrations.Single(m => m.EndsWith("_OrdinalIdsOnSqlServer", StringComparison.Ordinal));
        var script = db.GetService<IMigrator>().GenerateScript(migrations[migrations.IndexOf(ordinal) - 1], ordinal);
        output.WriteLine(script);

        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        parser.Parse(new StringReader(script), out var errors);
        Assert.Empty(errors);
        foreach (var (table, column, dependent) in new[]
        {
            ("Orders", "OrderId", "IX_Orders_WorkspaceId_Source_OrderId"),
            ("Discrepancies", "IdentityKey", "IX_Discrepancies_WorkspaceId_IdentityKey"),
            ("IdempotencyRecords", "Key", "PK_IdempotencyRecords"),
        })
        {
            var alter = script.IndexOf($"ALTER TABLE [{table}] ALTER COLUMN [{column}] nvarchar(", StringComparison.Ordinal);
            Assert.True(alter >= 0, $"{table}.{column} is not altered");
            Assert.Contains("COLLATE Latin1_General_100_BIN2 NOT NULL", script[alter..script.IndexOf('\n', alter)]);
            var dropped = script.IndexOf($"[{dependent}]", StringComparison.Ordinal);
            var created = script.LastIndexOf($"[{dependent}]", StringComparison.Ordinal);
            Assert.True(dropped >= 0 && dropped < alter && created > alter, $"{dependent} is not dropped before and made again after {table}.{column} changes");
        }
    }

    /// <summary>
    /// The lifecycle and ingest read rows by a thousand ids or keys per query: on SQL Server that must stay under
    /// its 2,100-parameter cap and be valid T-SQL (EF's translation, checked without a server).
    /// </summary>
    [Fact]
    public void SqlServerQueries_ByAThousandIds_StayUnderTheParameterCap_AndParse()
    {
        using var db = SqlServer();
        var ids = Enumerable.Range(1, 1000).Select(i => (long)i).ToArray();
        var keys = Enumerable.Range(1, 1000).Select(i => $"key-{i}").ToArray();
        var workspace = Guid.NewGuid();

        foreach (var sql in new[]
        {
            db.Discrepancies.Where(d => ids.Contains(d.Id)).ToQueryString(),
            db.Discrepancies.Where(d => d.WorkspaceId == workspace && keys.Contains(d.IdentityKey)).ToQueryString(),
            db.Orders.Where(o => o.WorkspaceId == workspace && keys.Contains(o.OrderId)).Select(o => new { o.Id, o.OrderId, o.ContentHash }).ToQueryString(),
        })
        {
            var parameters = sql.Split('\n').Count(line => line.StartsWith("DECLARE @", StringComparison.Ordinal));
            Assert.True(parameters is > 0 and < 2100, $"{parameters} parameters:\n{sql[..Math.Min(sql.Length, 2000)]}");
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
            Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => e.Message)) + "\n" + sql[..Math.Min(sql.Length, 2000)]);
        }
    }

    /// <summary>Metrics sum money in SQL: on SQL Server the fixed-scale column is summed and the query is valid T-SQL.</summary>
    [Fact]
    public void SqlServerMetricsAndRunListQueries_Parse()
    {
        using var db = SqlServer();
        var workspace = Guid.NewGuid();
        var sql = db.Discrepancies.Where(d => d.WorkspaceId == workspace && d.DetectedAt >= DateTime.UtcNow)
            .GroupBy(d => new { d.CauseCode, d.Category })
            .Select(g => new { g.Key.CauseCode, g.Key.Category, Count = g.Count(), Impact = g.Sum(d => d.Impact) })
            .ToQueryString();
        Assert.Contains("SUM([d].[Impact])", sql);
        // The run list's keyset cursor compares ids in SQL.
        var (at, id) = (DateTime.UtcNow, Guid.NewGuid());
        sql += ";\n" + db.Runs.Where(r => r.WorkspaceId == workspace && (r.CreatedAt < at || (r.CreatedAt == at && r.Id.CompareTo(id) < 0)))
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(51).ToQueryString();
        Assert.Contains("[r].[Id] < @", sql);
        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => e.Message)) + "\n" + sql);
    }

    /// <summary>Orders stored before the list filters had columns get their number and email from their payload.</summary>
    [Fact]
    public async Task SqliteMonitoringMigration_FillsTheOrderListColumnsOfStoredOrders()
    {
        var path = Path.Combine(Path.GetTempPath(), "reconcile-tests", $"migrate-{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await using var db = Sqlite(path);
            var migrations = db.Database.GetMigrations().ToList();
            var monitoring = migrations.Single(m => m.EndsWith("_Monitoring", StringComparison.Ordinal));
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(migrations[migrations.IndexOf(monitoring) - 1]);
            await db.Database.ExecuteSqlRawAsync("""
                PRAGMA foreign_keys = OFF;
                INSERT INTO "Orders" ("WorkspaceId", "Source", "OrderId", "OrderDate", "Version", "ContentHash", "Payload", "BatchId", "CreatedAt", "UpdatedAt")
                VALUES ('00000000-0000-0000-0000-000000000001', 'store', 'S1', NULL, 1, 'h',
                        '{{"orderId":"S1","orderNumber":"#1001","customerEmail":" Ann@Example.com","total":10}}',
                        '00000000-0000-0000-0000-000000000002', '2026-11-01 00:00:00', '2026-11-01 00:00:00');
                """);
            await db.Database.MigrateAsync();
            var order = await db.Orders.SingleAsync();
            Assert.Equal(("#1001", "ann@example.com"), (order.OrderNumber, order.CustomerEmail));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    [Fact]
    public async Task SqliteMigrations_ApplyToAFreshFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "reconcile-tests", $"migrate-{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await using (var db = Sqlite(path))
            {
                Assert.NotEmpty(db.Database.GetMigrations());
                await db.Database.MigrateAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
                Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());

                // The tables answer queries through the model.
                Assert.Equal(0, await db.Runs.CountAsync());
                Assert.Equal(0, await db.Discrepancies.CountAsync());
                var tables = await db.Database
                    .SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table'")
                    .ToListAsync();
                foreach (var table in Tables)
                    Assert.Contains(table, tables);
            }

            // Applying again is a no-op.
            await using (var again = Sqlite(path))
                await again.Database.MigrateAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(path + suffix);
        }
    }
}
