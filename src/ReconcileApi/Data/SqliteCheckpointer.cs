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
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ReconcileDbContext>().Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; until one succeeds the log only grows.
                logger.LogWarning(e, "SQLite checkpoint failed");
            }
        }
    }
}
