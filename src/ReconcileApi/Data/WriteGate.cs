namespace ReconcileApi.Data;

/// <summary>
/// SQLite admits one writer at a time, and a writer that finds the file locked waits in SQLite's busy handler, which
/// sleeps and polls with naps growing to 100 ms: with four clients ingesting at once, most of their time went to those
/// naps. The long write transactions (an ingest's batch, a run's results) queue here instead, and the next starts the
/// moment the previous one ends. On SQL Server (row locks, several processes) it lets everything through.
/// </summary>
public sealed class WriteGate
{
    readonly SemaphoreSlim one = new(1, 1);

    public async Task<IDisposable> EnterAsync(ReconcileDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
            return Open.Instance;
        await one.WaitAsync(ct);
        return new Exit(one);
    }

    sealed class Exit(SemaphoreSlim one) : IDisposable
    {
        int exited;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref exited, 1) == 0)
                one.Release();
        }
    }

    sealed class Open : IDisposable
    {
        public static readonly Open Instance = new();

        public void Dispose()
        {
        }
    }
}
