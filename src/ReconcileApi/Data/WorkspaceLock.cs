using Microsoft.EntityFrameworkCore;

namespace ReconcileApi.Data;

/// <summary>
/// One writer of a workspace's discrepancies at a time: a run's lifecycle (which reads the discrepancies it knows, then
/// updates them) and a person's resolutions. SQLite's write transaction (BEGIN IMMEDIATE) already admits one writer to the
/// file; on SQL Server each takes an application lock on the workspace, held until its transaction ends, so a resolution
/// sent while a run saves waits for the save and is then decided on what the run left — as on SQLite — instead of the run
/// overwriting it or failing on its changed version.
/// </summary>
public static class WorkspaceLock
{
    /// <summary>Takes the workspace's lock inside the open transaction (nothing to take on SQLite).</summary>
    public static async Task TakeAsync(DbContext db, Guid workspaceId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("The workspace's lock is held by a transaction: begin one first.");
        if (!db.Database.IsSqlServer())
            return;
        var resource = $"reconcile-lifecycle-{workspaceId}";
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"EXEC sp_getapplock @Resource = {resource}, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1", ct);
    }

    /// <summary>
    /// <see cref="Races.DecideAgainAsync"/> with each attempt in its own transaction holding the workspace's lock (retried
    /// whole by the provider's execution strategy): what the attempt reads cannot change under a run before it writes.
    /// </summary>
    public static Task<T> DecideAgainLockedAsync<T>(this DbContext db, Guid workspaceId, Func<Task<T?>> attempt, Func<T> lost,
        CancellationToken ct) where T : class =>
        // Committed even when the attempt lost a race: what it saved before losing stands (a failed save is rolled back to its
        // savepoint by EF Core), and the next attempt decides only what is left.
        db.DecideAgainAsync(() => db.InTransactionAsync(async ct =>
        {
            await TakeAsync(db, workspaceId, ct);
            return await attempt();
        }, ct), lost);
}
