using System.Globalization;

namespace ReconcileApi.Features.Orders;

public sealed record StoredOrderItem(OrderSource Source, string OrderId, int Version, Guid BatchId, DateTime CreatedAt, DateTime UpdatedAt, CanonicalOrder Order);

public sealed record StoredOrderPage(IReadOnlyList<StoredOrderItem> Items, string? NextCursor);

/// <summary>GET /api/v1/sources/{source}/orders — browse what is stored, latest stored first.</summary>
public static class ListOrders
{
    const int DefaultLimit = 100, MaxLimit = 500;

    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/sources/{source}/orders", Handle)
        .WithName(nameof(ListOrders))
        .WithLimit(MaxLimit)
        .WithSummary("List a side's stored orders, the latest stored first (filters: since, orderKey, email)")
        .WithDescription("`since`: stored or changed at or after this instant. `orderKey`: the order's reference as the workspace's key pattern reads it " +
            "from the order number (`1001` finds `#1001` and `Shopify Order #1001`), or its order id. `email`: the customer's email, any case. " +
            "`limit` 1–500 (default 100), `cursor` = the previous page's `nextCursor`.")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: new StoredOrderPage([new StoredOrderItem(Examples.StoredOrder.Source, Examples.StoredOrder.OrderId, Examples.StoredOrder.Version,
            Examples.StoredOrder.BatchId, Examples.StoredOrder.CreatedAt, Examples.StoredOrder.UpdatedAt, Examples.StoredOrder.Order)], null));

    public static async Task<Results<Ok<StoredOrderPage>, ValidationProblem, ProblemHttpResult>> Handle(
        string source, HttpRequest request, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct,
        DateTime? since = null, string? orderKey = null, string? email = null, int limit = DefaultLimit, string? cursor = null)
    {
        if (!IngestRequest.TryParseSource(source, out var side))
            return Problems.NotFound("Source", source);
        var workspaceId = user.WorkspaceId();
        var errors = new Dictionary<string, string[]>();
        Paging.CheckLimit(errors, limit, MaxLimit);
        Paging.CheckOnce(errors, request.Query, "orderKey", "email");
        // The cursor is the nextCursor string a page gave (a generated client passes it on unchanged), not a number to build.
        var before = Paging.IdCursor(errors, cursor);
        var query = db.Orders.AsNoTracking().Where(o => o.WorkspaceId == workspaceId && o.Source == side);
        if (since is { } s)
        {
            var from = s.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : s.ToUniversalTime();
            query = query.Where(o => o.UpdatedAt >= from);
        }
        if (!string.IsNullOrWhiteSpace(email))
            query = await IdBlockIndexes.WhereEmailAsync(db, query, workspaceId, side, email.Trim().ToLowerInvariant(), ct);
        if (before is { } id)
            query = query.Where(o => o.Id < id);
        if (errors.Count > 0)
            return Problems.InvalidQuery(errors);

        List<StoredOrder> rows;
        if (!string.IsNullOrWhiteSpace(orderKey))
        {
            // The key is what the workspace's pattern reads from the order number: the number must contain it, and the
            // pattern must read exactly it (so 1001 does not find #11001). Few orders share a key: no paging needed.
            var key = orderKey.Trim();
            var settings = await Settings.SettingsStore.LoadAsync(db, workspaceId,
                await Settings.SettingsStore.CurrentVersionAsync(db, workspaceId, ct), ct);
            var pattern = new OrderKeyPattern(side == OrderSource.Store ? settings.StoreKeyPattern : settings.KeapKeyPattern);
            var candidates = await query.Where(o => o.OrderId == key || (o.OrderNumber != null && o.OrderNumber.Contains(key)))
                .OrderByDescending(o => o.Id).Take(MaxLimit * 4).ToListAsync(ct);
            rows = candidates.Where(o => o.OrderId == key || string.Equals(pattern.Extract(o.OrderNumber), key, StringComparison.OrdinalIgnoreCase))
                .Take(limit + 1).ToList();
        }
        else
        {
            rows = await query.OrderByDescending(o => o.Id).Take(limit + 1).ToListAsync(ct);
        }
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            next = rows[^1].Id.ToString(CultureInfo.InvariantCulture);
        }
        return TypedResults.Ok(new StoredOrderPage(
            rows.Select(o => new StoredOrderItem(side, o.OrderId, o.Version, o.BatchId, o.CreatedAt, o.UpdatedAt, OrderJson.Of(o))).ToList(), next));
    }
}
