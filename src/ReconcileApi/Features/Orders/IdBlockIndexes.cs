using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// The SQLite indexes on orders keyed by the order's block of <see cref="Block"/> ids first: expression indexes EF cannot
/// model, created by raw SQL in migrations. SQLite's log takes whole pages, and an index keyed by what arrives in no order
/// puts each new order on a random page of it; a transaction's orders take consecutive ids, so in these their entries land
/// in one block's few pages. SQL Server keeps plain indexes: its log records rows, not pages. The SQL below must say
/// `"Id" / 4096` as the indexes do, or SQLite cannot use them.
/// <list type="bullet">
/// <item>The order list's email filter, (workspace, source, block, email) (migration EmailIndexByIdBlock). In an ingest
/// that otherwise appends (ids and dates growing, as syncs send them) a plain email index was 910 of every 1,332 log pages;
/// with `sqlite3` alone, 400,000 orders after 200,000 in transactions of 1,000: 10.97 s with the plain index, 6.06 s with
/// this one, 4.50 s with none.</item>
/// <item>The run's index, (workspace, source, block, date, binary form) (migration OrderDateIndexByIdBlock): a run reads a
/// side's orders from it alone, in order. Keyed by date it put every order sent out of date order (a backfill in id or
/// email order, an export) on a random page, each carrying its ≈ 200-byte binary form: with `sqlite3` on the million-order
/// snapshot, 1,000 new orders in random date order cost 30–49 ms and 8.4 MB of log against 19–24 ms and 4.8 MB keyed by
/// block. A run's query never used the date to seek (its window is `date is null or date in range`, so SQLite already read
/// the side's whole range and filtered), and reads the same entries in the same time (a million a side: 344 against 355 ms).</item>
/// </list>
/// Each read here also gives its plain form for SQL Server, so callers never choose by provider.
/// A lookup lists the side's blocks (two index seeks each), then seeks in each: at a million orders a side, 241 blocks and
/// 2–5 ms against 0.04 ms for a plain index. The walk grows with the blocks a side's orders are spread over, not with its
/// orders: a workspace that sends an order at a time among busy others can touch a block per order (a side of 100,000 such
/// orders among 100 million: at most 24,400 blocks, ≈ 50,000 seeks, tens of milliseconds) — still a lookup, never a scan.
/// </summary>
public static class IdBlockIndexes
{
    public const int Block = 4096;

    public static async Task<IQueryable<StoredOrder>> WhereEmailAsync(ReconcileDbContext db, IQueryable<StoredOrder> query, Guid workspaceId,
        OrderSource side, string email, CancellationToken ct)
    {
        query = query.Where(o => o.CustomerEmail == email);
        if (!db.Database.IsSqlite())
            return query;
        var blocks = await db.Database.SqlQueryRaw<long>($"WITH RECURSIVE {BlocksOfSide} SELECT k AS \"Value\" FROM blocks",
            Parameters(workspaceId, side)).ToListAsync(ct);
        return query.Where(o => blocks.Contains(o.Id / Block));
    }

    /// <summary>
    /// A side's newest order date up to <paramref name="until"/> (later ones are clock or zone errors, not a live sync): how
    /// a run measures sync lag and <c>side_silent</c> tells a dead sync. On SQL Server one index seek (workspace, source, date);
    /// on SQLite the newest in each block, one seek each: a plain max would read every entry of the side (a million: ≈ 0.3 s,
    /// inside the silence check's transaction).
    /// </summary>
    public static async Task<DateTime?> NewestOrderDateAsync(ReconcileDbContext db, Guid workspaceId, OrderSource side, DateTime until, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
            return await db.Orders.Where(o => o.WorkspaceId == workspaceId && o.Source == side && o.OrderDate <= until).MaxAsync(o => o.OrderDate, ct);
        var newest = await db.Database.SqlQueryRaw<DateTime?>($"""
            WITH RECURSIVE {BlocksOfSide}
            SELECT max((SELECT max("OrderDate") FROM "Orders"
                        WHERE "WorkspaceId" = @ws AND "Source" = @source AND "Id" / 4096 = b.k AND "OrderDate" <= @until)) AS "Value"
            FROM blocks AS b
            """, [.. Parameters(workspaceId, side), new SqliteParameter("@until", until)]).SingleAsync(ct);
        return newest is { } value ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : null;
    }

    /// <summary>
    /// A run's read of a side: its orders in the window and those without a date (in every window), as id and binary form
    /// (<see cref="Window"/>), read from the run's index alone. On SQLite, in each block of the side, one seek for the undated
    /// and one for the window's range: a day of a million orders in 50–57 ms with `sqlite3` against 313–347 ms filtering all
    /// the side's entries, the whole side in the same time.
    /// </summary>
    public static DbCommand WindowCommand(ReconcileDbContext db, Guid workspaceId, OrderSource side, DateTime from, DateTime to)
    {
        if (!db.Database.IsSqlite())
            return Window(db, workspaceId, side, from, to).CreateDbCommand();
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"""
            WITH RECURSIVE {BlocksOfSide}
            SELECT o."Id", o."Compact" FROM blocks AS b CROSS JOIN "Orders" AS o
            WHERE o."WorkspaceId" = @ws AND o."Source" = @source AND o."Id" / 4096 = b.k AND o."OrderDate" IS NULL
            UNION ALL
            SELECT o."Id", o."Compact" FROM blocks AS b CROSS JOIN "Orders" AS o
            WHERE o."WorkspaceId" = @ws AND o."Source" = @source AND o."Id" / 4096 = b.k
              AND o."OrderDate" >= @from AND o."OrderDate" < @to
            """;
        command.Parameters.AddRange((SqliteParameter[])[.. Parameters(workspaceId, side), new("@from", from), new("@to", to)]);
        return command;
    }

    /// <summary>
    /// A side's orders in the window (and those without a date), each as its id and binary form: what SQL Server reads from its
    /// (workspace, source, date) index, and what <see cref="WindowCommand"/> reads on SQLite.
    /// </summary>
    public static IQueryable<(long Id, byte[]? Compact)> Window(ReconcileDbContext db, Guid workspaceId, OrderSource side, DateTime from, DateTime to) =>
        db.Orders
            .Where(o => o.WorkspaceId == workspaceId && o.Source == side && (o.OrderDate == null || (o.OrderDate >= from && o.OrderDate < to)))
            .Select(o => ValueTuple.Create(o.Id, o.Compact));

    /// <summary>
    /// The side's blocks of ids, <c>blocks(k)</c> newest first (two index seeks a block), for <c>WITH RECURSIVE</c>; parameters
    /// <see cref="Parameters"/>. The walk (<c>walk</c>) ends on the null its last step finds, which <c>blocks</c> leaves out.
    /// </summary>
    const string BlocksOfSide = """
        walk(k) AS (
            SELECT max("Id" / 4096) FROM "Orders" WHERE "WorkspaceId" = @ws AND "Source" = @source
            UNION ALL
            SELECT (SELECT max("Id" / 4096) FROM "Orders" WHERE "WorkspaceId" = @ws AND "Source" = @source AND "Id" / 4096 < walk.k)
            FROM walk WHERE walk.k IS NOT NULL),
        blocks(k) AS (SELECT k FROM walk WHERE k IS NOT NULL)
        """;

    /// <summary>
    /// @ws and @source as EF stores them on SQLite: a Guid as upper-case text, the side's name. Dates bind as EF stores them
    /// (`yyyy-MM-dd HH:mm:ss.FFFFFFF`); `OrderListTests.TheRunsIndex_…` holds these queries to EF's own.
    /// </summary>
    static SqliteParameter[] Parameters(Guid workspaceId, OrderSource side) =>
        [new("@ws", workspaceId.ToString().ToUpperInvariant()), new("@source", side.ToString())];
}
