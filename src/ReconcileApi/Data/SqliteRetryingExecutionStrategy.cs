using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace ReconcileApi.Data;

/// <summary>
/// Retries an operation that met a busy or locked SQLite file (after the connection's own busy timeout). Used when
/// <c>Database:RetryOnFailure</c> is set: its real purpose here is that a retrying strategy refuses a transaction
/// begun outside <c>CreateExecutionStrategy().ExecuteAsync(...)</c> exactly as SQL Server's
/// <c>EnableRetryOnFailure</c> does, so the test suite (which sets it) catches that mistake without a SQL Server.
/// </summary>
public sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(2))
{
    const int Busy = 5, Locked = 6;

    protected override bool ShouldRetryOn(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: Busy or Locked };
}
