using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ReconcileApi.Data;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// Issue #13: no connection checkpoints when it commits (a million-order run's end waited seconds for SQLite to copy
/// its pages into the database file); <see cref="SqliteCheckpointer"/> does it in the background instead.
/// </summary>
public sealed class SqliteCheckpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Committed_orders_reach_the_database_file_without_the_writer_checkpointing()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("CK1", "#9001", 5m, date: Day) });
        using (var scope = factory.Services.CreateScope())
        {
            // A connection of the service's own: automatic checkpoints off.
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            await db.Database.OpenConnectionAsync();
            await using var pragma = db.Database.GetDbConnection().CreateCommand();
            pragma.CommandText = "PRAGMA wal_autocheckpoint";
            Assert.Equal(0L, await pragma.ExecuteScalarAsync());
        }

        // The database file alone — a copy without the log — holds the order once a checkpoint copied it there.
        var deadline = DateTime.UtcNow + SqliteCheckpointer.Interval * 10;
        while (await CountInFileAsync(factory.DatabasePath, "CK1") != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "The order is still only in the write-ahead log.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_log_past_its_limit_is_restarted_and_cut_back_to_the_size_limit()
    {
        // More than the size limit in one transaction: once it is copied and the log restarted, the next commit writes from
        // the log's beginning and cuts the file back to the limit (without journal_size_limit it stays at 313 MB). With no
        // reader in the way a writer restarts a copied log itself; the checkpointer's RESTART is for a log that readers
        // always hold (a steady ingest with runs reading: 7.7 GB before there was one).
        var megabytes = SqlitePragmas.LogSizeLimit / 1048576 + 40;
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS CheckpointFiller (Data BLOB)");
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO CheckpointFiller SELECT zeroblob(1048576) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {megabytes}) SELECT i FROM n)");
        await db.Database.ExecuteSqlRawAsync("DROP TABLE CheckpointFiller");
        Assert.True(LogBytes() > SqlitePragmas.LogSizeLimit, $"The log holds only {LogBytes():N0} bytes.");

        var deadline = DateTime.UtcNow + SqliteCheckpointer.Interval * 10;
        while (LogBytes() > SqlitePragmas.LogSizeLimit || await LogPagesAsync() >= SqliteCheckpointer.ResetPages)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The log still holds {LogBytes():N0} bytes.");
            await Task.Delay(100);
            // A small commit: the first one after a restart writes from the log's beginning and cuts the file back.
            await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS CheckpointPing (At INTEGER); INSERT INTO CheckpointPing VALUES (1);");
        }

        long LogBytes() => new FileInfo(factory.DatabasePath + "-wal") is { Exists: true } log ? log.Length : 0;

        async Task<long> LogPagesAsync()
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            await db.Database.OpenConnectionAsync();
            await using var reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? reader.GetInt64(1) : 0;
        }
    }

    [Fact]
    public async Task An_idle_log_is_restarted_once_not_at_every_tick()
    {
        // A restarted log keeps its page count until a writer starts it over; with no writer coming, each tick had taken
        // the write gate and restarted it again (seen as a log line a second after a million-order run).
        var logs = new FakeLogCollector();
        using var own = new ApiFactory();
        using var host = own.WithWebHostBuilder(b => b.ConfigureLogging(l => l
            .AddProvider(new FakeLoggerProvider(logs))
            .AddFilter(typeof(SqliteCheckpointer).FullName, LogLevel.Debug)));
        int Restarts() => logs.GetSnapshot().Count(r => r.Category == typeof(SqliteCheckpointer).FullName && r.Message.Contains("copied and restarted"));
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var megabytes = SqliteCheckpointer.ResetPages * 4096 / 1048576 + 8;
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE IdleFiller (Data BLOB)");
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO IdleFiller SELECT zeroblob(1048576) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {megabytes}) SELECT i FROM n)");

        // Generous: the suite runs test classes in parallel on two cores, and the first checkpoint copies the 72 MB first.
        var deadline = DateTime.UtcNow + SqliteCheckpointer.Interval * 30;
        while (Restarts() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The log was not restarted; the checkpointer logged: "
                + string.Join(" | ", logs.GetSnapshot().Where(r => r.Category == typeof(SqliteCheckpointer).FullName).Select(r => r.Message)));
            await Task.Delay(100);
        }
        await Task.Delay(SqliteCheckpointer.Interval * 4);
        Assert.Equal(1, Restarts());
    }

    static async Task<long> CountInFileAsync(string databasePath, string orderId)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"checkpoint-{Guid.NewGuid():N}.db");
        try
        {
            File.Copy(databasePath, copy);
            await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM Orders WHERE OrderId = $id";
            command.Parameters.AddWithValue("$id", orderId);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (SqliteException)
        {
            // Copied while a checkpoint was writing it: try again.
            return -1;
        }
        finally
        {
            foreach (var file in new[] { copy, copy + "-wal", copy + "-shm" })
                File.Delete(file);
        }
    }
}
