namespace ReconcileApi.Features.Orders;

/// <summary>
/// The order list's email filter on SQLite. Emails arrive in no order, so a plain (workspace, source, email) index put every
/// new order on a random page of it, and SQLite's log takes whole pages: in an ingest that otherwise appends (ids and
/// dates growing, as syncs send them) that index was 910 of every 1,332 log pages. Its SQLite form is keyed by the order's
/// block of <see cref="Block"/> ids first (migration EmailIndexByIdBlock): a transaction's orders take consecutive ids, so
/// their entries land in one block's few pages. Measured with `sqlite3` alone, 400,000 orders after 200,000 in
/// transactions of 1,000: 10.97 s with the plain index, 6.06 s with this one, 4.50 s with none.
/// A lookup lists the side's blocks (two index seeks each), then seeks the email in each: at a million orders a side, 241
/// blocks and 2 ms in `sqlite3` against 0.04 ms with the plain index. SQL Server keeps the plain index: its log records
/// rows, not pages. The SQL below must say `"Id" / 4096` as the index does, or SQLite cannot use it.
/// The walk grows with the blocks a side's orders are spread over, not with its orders: a workspace that sends an order
/// at a time among busy others can touch a block per order (a side of 100,000 such orders among 100 million: at most
/// 24,400 blocks, ≈ 50,000 seeks, tens of milliseconds) — still a lookup, never a scan of the orders.
/// </summary>
public static class EmailIndex
{
    public const int Block = 4096;

    public static async Task<IQueryable<StoredOrder>> WhereEmailAsync(ReconcileDbContext db, IQueryable<StoredOrder> query, Guid workspaceId,
        OrderSource side, string email, CancellationToken ct)
    {
        query = query.Where(o => o.CustomerEmail == email);
        if (!db.Database.IsSqlite())
            return query;
        var source = side.ToString();
        var blocks = await db.Database.SqlQuery<long>($"""
            WITH RECURSIVE b(k) AS (
                SELECT max("Id" / 4096) FROM "Orders" WHERE "WorkspaceId" = {workspaceId} AND "Source" = {source}
                UNION ALL
                SELECT (SELECT max("Id" / 4096) FROM "Orders" WHERE "WorkspaceId" = {workspaceId} AND "Source" = {source} AND "Id" / 4096 < b.k)
                FROM b WHERE b.k IS NOT NULL)
            SELECT k AS "Value" FROM b WHERE k IS NOT NULL
            """).ToListAsync(ct);
        return query.Where(o => blocks.Contains(o.Id / Block));
    }
}
