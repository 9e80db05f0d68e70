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
public sealed class WriteGate
{
    readonly Lock sync = new();
    bool held;
    Guid? lastTurn;

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
            {
                held = true;
                lastTurn = workspaceId;
                return new Exit(this);
            }
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
        return new Exit(this);
    }

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

    /// <summary>The turn passes to the next workspace in the round (not the one that just wrote, while another waits).</summary>
    void Release()
    {
        lock (sync)
        {
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
            lastTurn = workspaceId;
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
