using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ReconcileApi.Data;

/// <summary>
/// Per-connection SQLite settings: with the WAL journal, synchronous=NORMAL syncs at checkpoints
/// instead of at every commit. A crash of the process loses nothing; a power cut may lose the last
/// commits but never corrupts the file (SQLite docs, "WAL mode"). busy_timeout lets a writer wait
/// for another instead of failing at once.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
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
}
