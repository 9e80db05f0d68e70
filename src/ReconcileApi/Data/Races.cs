using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace ReconcileApi.Data;

/// <summary>
/// A write that another request beat to its row (a changed version, a version number taken) is decided again on what that
/// request left: read afresh, the request is a repeat, a conflict, a stale If-Match, or applied on top. A change sent
/// without If-Match asked for itself, not for the version its caller read, so losing a race must not refuse it.
/// </summary>
public static class Races
{
    /// <summary>Tries of a request that keeps losing the race to other changes before it is answered with <c>lost</c>.</summary>
    public const int MaxAttempts = 3;

    /// <summary>
    /// Runs <paramref name="attempt"/> — read, decide, write — until it answers; null means its write lost the race, and the
    /// next try starts from an empty change tracker, so it reads what the winner wrote.
    /// </summary>
    public static async Task<T> DecideAgainAsync<T>(this DbContext db, Func<Task<T?>> attempt, Func<T> lost, int maxAttempts = MaxAttempts)
        where T : class
    {
        for (var tries = 1; tries <= maxAttempts; tries++)
        {
            if (await attempt() is { } answer)
                return answer;
            db.ChangeTracker.Clear();
        }
        return lost();
    }

    /// <summary>
    /// Whether a save failed because another request wrote the row first: a unique index or primary key refused it (SQLite's
    /// extended codes 2067 and 1555, SQL Server's errors 2601 and 2627). Only that is a race to decide again; any other
    /// failure (a full disk, a broken schema, a foreign key) is an error and must reach the caller and the log as one.
    /// </summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException e => e.SqliteExtendedErrorCode is 2067 or 1555,
        SqlException e => e.Number is 2601 or 2627,
        _ => false,
    };

    /// <summary>
    /// Whether a request failed because another writer held the database for longer than the service waits: SQLite busy or
    /// locked (another process's write transaction — a backup, a migration, a second service on the file — outlasting the
    /// busy timeout and the execution strategy's retries), SQL Server's lock timeout (1222), deadlock victim (1205) or
    /// command timeout (-2). Nothing is wrong with the request: it is answered 503 with Retry-After, not 500.
    /// </summary>
    public static bool IsDatabaseBusy(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is SqliteException { SqliteErrorCode: 5 or 6 } or SqlException { Number: -2 or 1205 or 1222 })
                return true;
        return false;
    }

    /// <summary>
    /// Why the database refuses writes when it is neither busy nor the request wrong: SQLite's file is on a full disk
    /// (SQLITE_FULL, 13) or read-only (SQLITE_READONLY, 8: a remount, a restore, its permissions), SQL Server's file group or
    /// log is full (1105, 9002) or the database is read-only (3906). Reads still work; the condition clears without the
    /// service (room is made, the file is writable again), so the request is answered 503, not 500. Null when it is not that.
    /// </summary>
    public static string? StorageUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: 13 }:
                case SqlException { Number: 1105 or 9002 }:
                    return "its disk is full";
                case SqliteException { SqliteErrorCode: 8 }:
                case SqlException { Number: 3906 }:
                    return "it is read-only";
            }
        }
        return null;
    }
}
