using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ReconcileApi.Data;

/// <summary>
/// On SQLite the short writes take a turn at the <see cref="WriteGate"/> too. A write begun outside a turn waited for
/// SQLite's lock in its busy handler, which naps up to 100 ms between looks, while an ingest's transactions follow each other
/// with no gap between them: a one-row change of the alert rules during a shuffled ingest on top of a million orders
/// found the lock free after 3.1 s, and could wait out the 30 s busy timeout (then a 503). Now a transaction begun outside a
/// turn waits for one (in the round, after at most the write under way), begins — BEGIN IMMEDIATE takes SQLite's lock —
/// and lets the turn go: the next long write waits in SQLite's busy handler the few milliseconds the short one takes to
/// commit. A write statement outside any transaction (ExecuteUpdate, ExecuteDelete) holds a turn while it runs, and
/// SaveChanges always opens a transaction (<see cref="ReconcileDbContext"/>). A context whose write holds the gate (an
/// ingest, a run's save, the checkpointer) goes through.
/// </summary>
public sealed class GatedWrites(WriteGate gate) : IDbTransactionInterceptor, IDbCommandInterceptor
{
    /// <summary>The turns of write statements under way, by command.</summary>
    readonly ConcurrentDictionary<Guid, IDisposable> statements = new();

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (result.HasResult || Outside(eventData.Context) is not { } db)
            return result;
        using (await gate.EnterAsync(db, cancellationToken))
            return InterceptionResult<DbTransaction>.SuppressWithResult(await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken));
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (result.HasResult || Outside(eventData.Context) is not { } db)
            return result;
        using (gate.EnterAsync(db, CancellationToken.None).GetAwaiter().GetResult())
            return InterceptionResult<DbTransaction>.SuppressWithResult(connection.BeginTransaction(eventData.IsolationLevel));
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (Gated(command, eventData) is { } db)
            statements[eventData.CommandId] = await gate.EnterAsync(db, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (Gated(command, eventData) is { } db)
            statements[eventData.CommandId] = gate.EnterAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Done(eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Done(eventData.CommandId);
        return result;
    }

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Done(eventData.CommandId);
        return Task.CompletedTask;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Done(eventData.CommandId);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Done(eventData.CommandId);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Done(eventData.CommandId);

    /// <summary>The context of a write statement that runs on its own (no transaction) outside a turn; null otherwise.</summary>
    ReconcileDbContext? Gated(DbCommand command, CommandEventData eventData) =>
        command.Transaction is null && Writes(command.CommandText) ? Outside(eventData.Context) : null;

    /// <summary>The service's context when its write does not hold the gate (it waits for a turn); null otherwise.</summary>
    ReconcileDbContext? Outside(DbContext? context) => context is ReconcileDbContext db && !gate.IsHeldBy(db) ? db : null;

    static bool Writes(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }

    void Done(Guid commandId)
    {
        if (statements.TryRemove(commandId, out var turn))
            turn.Dispose();
    }
}
