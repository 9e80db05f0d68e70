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
/// <remarks>
/// A PASSIVE checkpoint never rewinds the log: SQLite starts writing it from the beginning again only when a writer
/// begins after a checkpoint that copied every page and no reader still uses the old ones, which under a steady ingest
/// with concurrent readers never happens — the log of a 200,000-order-a-side ingest grew to 7.7 GB (`scripts/bench.sh
/// scale --orders 200000`), and every read and write of the runs after it paid for it. So once the log passes
/// <see cref="ResetPages"/>, the next tick takes the <see cref="WriteGate"/> (no long write is under way) and runs a
/// RESTART checkpoint, which waits at most 50 ms for readers before giving up until the next tick: the next writer then
/// writes the log from its beginning again, over the file's pages. TRUNCATE did the same and also cut the file to nothing,
/// so every restart freed the file's pages and the next writes took fresh ones (on this project's VMs fresh memory is
/// slow): the gate was held 73-181 ms a time during an ingest, 62-78 ms with RESTART; new orders, four alternated pairs,
/// 41,592-51,120 a second against 37,440-51,205 (ahead by ≈ 6 % on average, within this machine's noise). A log that a
/// large transaction grew past <see cref="SqlitePragmas.LogSizeLimit"/>
/// is cut back to it by the first commit after the restart (SQLite's journal_size_limit).
/// </remarks>
public sealed class SqliteCheckpointer(IServiceScopeFactory scopes, WriteGate gate, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    /// <summary>The log's size (4 KB pages, 64 MB) past which it is copied and restarted.</summary>
    public const long ResetPages = 16_384;
    /// <summary>How long the restarting checkpoint waits for readers (50 ms: an ingest's own reads take a few; a run's load is left to finish), and the usual wait it restores.</summary>
    const string ResetWait = "PRAGMA busy_timeout=50;", UsualWait = "PRAGMA busy_timeout=" + SqlitePragmas.BusyTimeout + ";";

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
    // The log's pages when a restart last succeeded: the log keeps that count until a writer starts it over, and an idle
    // service would otherwise take the write gate and restart the same log every tick.
    long restartedAt = -1;

    async Task CheckpointAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        await db.Database.OpenConnectionAsync(ct);
        var started = Stopwatch.GetTimestamp();
        var (_, logPages, copied) = await CheckpointAsync(db, "PASSIVE", ct);
        if (copied != lastCopied && (lastCopied = copied) > 0)
            logger.LogDebug("Checkpoint: {Pages} of {LogPages} pages of the log in the database file after {Ms:F0} ms", copied, logPages,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (logPages < ResetPages || logPages == restartedAt)
            return;
        using var turn = await gate.EnterAsync(db, ct);
        started = Stopwatch.GetTimestamp();
        await db.Database.ExecuteSqlRawAsync(ResetWait, ct);
        try
        {
            (var busy, _, lastCopied) = await CheckpointAsync(db, "RESTART", ct);
            if (!busy)
                restartedAt = logPages;
            logger.LogDebug("Log of {LogPages} pages {Outcome} after {Ms:F0} ms", logPages, busy ? "still in use by a reader, kept" : "copied and restarted",
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync(UsualWait, CancellationToken.None);
        }
    }

    /// <summary>One row: whether it was blocked, the log's pages, the pages now in the database file.</summary>
    static async Task<(bool Busy, long LogPages, long Copied)> CheckpointAsync(ReconcileDbContext db, string mode, CancellationToken ct)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2)) : (false, 0, 0);
    }
}
