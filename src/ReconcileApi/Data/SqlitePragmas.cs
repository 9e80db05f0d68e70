using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ReconcileApi.Data;

/// <summary>
/// Per-connection SQLite settings: with the WAL journal, synchronous=NORMAL syncs at checkpoints
/// instead of at every commit. A crash of the process loses nothing; a power cut may lose the last
/// commits but never corrupts the file (SQLite docs, "WAL mode"). busy_timeout lets a writer wait
/// for another instead of failing at once. A 64 MB page cache and memory-mapped reads keep a run's
/// hundreds of thousands of rows and the discrepancy indexes out of per-page system calls. No connection
/// checkpoints when it commits: <see cref="SqliteCheckpointer"/> does, in the background.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const string BusyTimeout = "30000";

    /// <summary>
    /// The size (256 MB) the write-ahead log's file is cut back to after a restart (<see cref="SqliteCheckpointer"/>): above the
    /// ≈ 80-170 MB a steady ingest writes between restarts, so those reuse the file's pages; a run's save may write more.
    /// </summary>
    public const long LogSizeLimit = 256L * 1024 * 1024;

    static readonly string Pragmas =
        $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeout}; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={LogSizeLimit};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    /// <summary>The pragmas, on a connection EF Core opens or one opened outside it (<see cref="WriteGate.OnWriterConnection"/>).</summary>
    public static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A run's results touch every page of the discrepancy table and its eight indexes (≈ 250 MB at 177,000 findings);
    /// with the 64 MB cache SQLite spilled and re-read pages mid-transaction. The connection saving them gets 512 MB
    /// for that transaction (allocated only as used); the pragmas above give it the usual size again when it is next opened.
    /// `scripts/bench.sh save`, alternated with 64 MB: the first run's save 6.40 / 7.19 s against 7.65 / 7.93 s.
    /// </summary>
    public static async Task LargeWriteCacheAsync(ReconcileDbContext db, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size=-524288;", ct);
    }
}
