using Microsoft.EntityFrameworkCore;

namespace ReconcileApi.Data;

/// <summary>
/// A unit of work in one transaction, inside the provider's execution strategy: on SQL Server a transient failure retries
/// the whole unit (a transaction begun outside the strategy is refused, and so is it in the suite, whose SQLite strategy
/// retries too). Each attempt starts from an empty change tracker and is committed when the work returns — also when it
/// decided to change nothing (a claim that found the row taken), which commits nothing.
/// </summary>
public static class Transactions
{
    public static Task<T> InTransactionAsync<T>(this DbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(ct);
            await transaction.CommitAsync(ct);
            return result;
        }, ct);

    public static Task InTransactionAsync(this DbContext db, Func<CancellationToken, Task> work, CancellationToken ct) =>
        db.InTransactionAsync(async ct =>
        {
            await work(ct);
            return true;
        }, ct);
}
