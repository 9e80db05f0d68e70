using System.Diagnostics;

namespace ReconcileApi.Data;

/// <summary>
/// Copies committed pages from SQLite's write-ahead log into the database file (a checkpoint) in the background,
/// every <see cref="Interval"/>. SQLite's default runs it inside the COMMIT of whichever connection pushed the log
/// past 1,000 pages, so an ingest request or a run's save waited for it: the save of 177,000 findings writes ≈ 300 MB
/// of pages, and copying them delayed the run's end by seconds. Connections open with automatic checkpoints off
/// (<see cref="SqlitePragmas"/>); a PASSIVE checkpoint waits for no reader and no writer. The last connection to
/// close checkpoints what is left, and a log left by a crash is recovered at the next open (SQLite docs, "WAL mode").
/// </summary>
public sealed class SqliteCheckpointer(IServiceScopeFactory scopes, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; until one succeeds the log only grows.
                logger.LogWarning(e, "SQLite checkpoint failed");
            }
        }
    }

    long lastCopied;

    async Task CheckpointAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        await db.Database.OpenConnectionAsync(ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        var started = Stopwatch.GetTimestamp();
        await using var reader = await command.ExecuteReaderAsync(ct);
        // One row: whether it was blocked, the log's pages, the pages now in the database file.
        if (await reader.ReadAsync(ct) && reader.GetInt64(2) is var copied && copied != lastCopied && (lastCopied = copied) > 0)
            logger.LogDebug("Checkpoint: {Pages} of {LogPages} pages of the log in the database file after {Ms:F0} ms", reader.GetInt64(2), reader.GetInt64(1),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
