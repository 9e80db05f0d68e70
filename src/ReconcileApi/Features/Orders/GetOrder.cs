namespace ReconcileApi.Features.Orders;

public sealed record OrderVersionResponse(int Version, Guid BatchId, DateTime RecordedAt, CanonicalOrder Order);

public sealed record StoredOrderResponse(
    OrderSource Source,
    string OrderId,
    int Version,
    Guid BatchId,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    CanonicalOrder Order,
    IReadOnlyList<OrderVersionResponse> PreviousVersions);

/// <summary>
/// GET /api/v1/sources/{source}/orders/{orderId} — the stored order and the versions it replaced. Order ids may hold
/// slashes (Shopify's GraphQL ids: <c>gid://shopify/Order/123</c>): the id is the rest of the path, sent encoded
/// (<c>gid:%2F%2Fshopify%2FOrder%2F123</c>, as a URL template encodes it) or as it is.
/// </summary>
public static class GetOrder
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/sources/{source}/orders/{**orderId}", Handle)
        .WithName(nameof(GetOrder))
        .WithSummary("Read one stored order with its previous versions (newest first)")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: Examples.StoredOrder);

    public static async Task<Results<Ok<StoredOrderResponse>, ProblemHttpResult>> Handle(
        string source, string orderId, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        if (!IngestRequest.TryParseSource(source, out var side))
            return Problems.NotFound("Source", source);
        // The server decodes every escape of the path but %2F (a slash it must not take for a separator); ingest stores ids
        // trimmed, so " U-SP " sent as %20U-SP%20 is looked up as it was stored.
        orderId = orderId.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase).Trim();
        var workspaceId = user.WorkspaceId();
        var stored = await db.Orders.AsNoTracking()
            .SingleOrDefaultAsync(o => o.WorkspaceId == workspaceId && o.Source == side && o.OrderId == orderId, ct);
        if (stored is null)
            return Problems.NotFound("Order", orderId);
        var versions = await db.OrderVersions.AsNoTracking()
            .Where(v => v.StoredOrderId == stored.Id)
            .OrderByDescending(v => v.Version)
            .ToListAsync(ct);
        return TypedResults.Ok(new StoredOrderResponse(
            side, stored.OrderId, stored.Version, stored.BatchId, stored.CreatedAt, stored.UpdatedAt,
            OrderJson.Of(stored),
            versions.Select(v => new OrderVersionResponse(v.Version, v.BatchId, v.RecordedAt, OrderJson.Deserialize(v.Payload))).ToList()));
    }
}
