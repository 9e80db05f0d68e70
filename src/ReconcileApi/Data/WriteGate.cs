using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;

namespace ReconcileApi.Data;

/// <summary>
/// SQLite admits one writer at a time, and a writer that finds the file locked waits in SQLite's busy handler, which
/// sleeps and polls with naps growing to 100 ms: with four clients ingesting at once, most of their time went to those
/// naps. The long write transactions (an ingest's batch, a run's results) queue here instead, and the next starts the
/// moment the previous one ends. On SQL Server (row locks, several processes) it lets everything through.
/// </summary>
/// <remarks>
/// The turns go round the workspaces that wait, each workspace's writes in their order: first come, first served let one
/// workspace's queue of large ingests (four clients at once) go before another workspace's one-order ingest, which waited
/// out their sum. A write of no workspace (the checkpointer's) waits as a workspace of its own.
/// </remarks>
public sealed class WriteGate : IDisposable
{
    readonly Lock sync = new();
    bool held;
    /// <summary>The context whose write holds the gate (once its turn reached it), for <see cref="IsHeldBy"/>.</summary>
    volatile DbContext? holder;
    Guid? lastTurn;
    SqliteConnection? writer;
    readonly ConcurrentDictionary<(Guid, OrderSource), bool> resending = new();

    /// <summary>The workspaces with writes waiting, in the order of their next turn, and each one's writes in arrival order.</summary>
    readonly LinkedList<Guid> round = new();
    readonly Dictionary<Guid, LinkedList<TaskCompletionSource>> waiting = new();

    /// <summary>Writes waiting for their turn (for tests and diagnostics).</summary>
    public int Waiting
    {
        get
        {
            lock (sync)
                return waiting.Values.Sum(w => w.Count);
        }
    }

    readonly ConcurrentDictionary<Guid, int> turnsGiven = new();

    /// <summary>How many turns the gate has given a workspace's writes (for tests and diagnostics).</summary>
    public int TurnsOf(Guid workspaceId) => turnsGiven.GetValueOrDefault(workspaceId);

    /// <summary>A write of no workspace.</summary>
    public Task<IDisposable> EnterAsync(ReconcileDbContext db, CancellationToken ct) => EnterAsync(db, Guid.Empty, ct);

    public async Task<IDisposable> EnterAsync(ReconcileDbContext db, Guid workspaceId, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
            return Open.Instance;
        ct.ThrowIfCancellationRequested();
        TaskCompletionSource turn;
        LinkedListNode<TaskCompletionSource> node;
        lock (sync)
        {
            if (!held)
                return Give(workspaceId, db);
            turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!waiting.TryGetValue(workspaceId, out var writes))
            {
                waiting[workspaceId] = writes = new LinkedList<TaskCompletionSource>();
                round.AddLast(workspaceId);
            }
            node = writes.AddLast(turn);
        }
        await using (ct.Register(() => Cancel(workspaceId, node)))
            await turn.Task;
        holder = db;
        return new Exit(this);
    }

    /// <summary>Whether <paramref name="db"/>'s write holds the gate: its own further writes go through (<see cref="GatedWrites"/>).</summary>
    public bool IsHeldBy(DbContext db) => ReferenceEquals(holder, db);

    /// <summary>
    /// Points <paramref name="db"/> (SQLite, inside a turn) at the gate's own connection until disposed, then at a connection of
    /// its own again. In WAL mode a connection empties its page cache whenever another connection has committed since its last
    /// read, and every ingest request commits its receipt: the pooled connection of the next request read the ≈ 1,000 index
    /// pages of its lookups from the file again. One connection that does the ingest's lookups and writes, one turn at a
    /// time, sees only its own commits and keeps its pages (its 64 MB cache holds the order-id index a resend reads at a
    /// million orders; 256 MB was no faster and stayed filled through the runs: peak memory 2.9 GB against 2.4).
    /// </summary>
    public IDisposable OnWriterConnection(ReconcileDbContext db)
    {
        if (!db.Database.IsSqlite())
            return Open.Instance;
        var connectionString = db.Database.GetConnectionString()!;
        if (writer is not { State: ConnectionState.Open })
        {
            writer?.Dispose();
            writer = new SqliteConnection(connectionString);
            writer.Open();
            SqlitePragmas.Apply(writer);
        }
        db.Database.SetDbConnection(writer, contextOwnsConnection: false);
        return new Restore(db, connectionString);
    }

    public void Dispose() => writer?.Dispose();

    sealed class Restore(ReconcileDbContext db, string connectionString) : IDisposable
    {
        public void Dispose() => db.Database.SetDbConnection(new SqliteConnection(connectionString), contextOwnsConnection: true);
    }

    /// <summary>
    /// A turn at once when no write holds the gate (none then waits either), for a read that is quicker through
    /// <see cref="OnWriterConnection"/>; null when one does (or not on SQLite): the caller reads through its own connection
    /// rather than wait.
    /// </summary>
    public IDisposable? TryEnter(ReconcileDbContext db, Guid workspaceId)
    {
        if (!db.Database.IsSqlite())
            return null;
        lock (sync)
        {
            return held ? null : Give(workspaceId, db);
        }
    }

    /// <summary>
    /// Whether the last lookup of stored orders on this workspace's side found most of them (<see cref="Looked"/>): a resend
    /// under way, whose next lookup is worth waiting for a turn on <see cref="OnWriterConnection"/> — a thousand index pages
    /// read cold cost more than the wait. New orders find none, and read through their own connection without waiting.
    /// </summary>
    public bool Resending(Guid workspaceId, OrderSource source) => resending.TryGetValue((workspaceId, source), out var yes) && yes;

    public void Looked(Guid workspaceId, OrderSource source, int ids, int stored) => resending[(workspaceId, source)] = stored * 2 > ids;

    /// <summary>A write cancelled while it waits leaves the queue; one whose turn came first keeps it (and releases it).</summary>
    void Cancel(Guid workspaceId, LinkedListNode<TaskCompletionSource> node)
    {
        lock (sync)
        {
            if (node.Value.Task.IsCompleted || !waiting.TryGetValue(workspaceId, out var writes) || node.List != writes)
                return;
            writes.Remove(node);
            if (writes.Count == 0)
            {
                waiting.Remove(workspaceId);
                round.Remove(workspaceId);
            }
            node.Value.TrySetCanceled();
        }
    }

    /// <summary>The gate is <paramref name="workspaceId"/>'s until the returned turn is disposed (under <see cref="sync"/>).</summary>
    Exit Give(Guid workspaceId, DbContext? db = null)
    {
        held = true;
        holder = db;
        lastTurn = workspaceId;
        turnsGiven.AddOrUpdate(workspaceId, 1, (_, n) => n + 1);
        return new Exit(this);
    }

    /// <summary>The turn passes to the next workspace in the round (not the one that just wrote, while another waits).</summary>
    void Release()
    {
        lock (sync)
        {
            holder = null;
            if (round.First is not { } next)
            {
                held = false;
                lastTurn = null;
                return;
            }
            if (next.Value == lastTurn && round.Count > 1)
            {
                round.RemoveFirst();
                round.AddLast(next);
                next = round.First!;
            }
            var workspaceId = next.Value;
            var writes = waiting[workspaceId];
            var turn = writes.First!.Value;
            writes.RemoveFirst();
            round.RemoveFirst();
            if (writes.Count == 0)
                waiting.Remove(workspaceId);
            else
                round.AddLast(workspaceId);
            Give(workspaceId);
            turn.SetResult();
        }
    }

    sealed class Exit(WriteGate gate) : IDisposable
    {
        int exited;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref exited, 1) == 0)
                gate.Release();
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
