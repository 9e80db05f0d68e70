namespace ReconcileApi.Features.Runs;

/// <summary>An order a run counted as pending: <c>ageMinutes</c> old at the run's cut-off, younger than the settle time.</summary>
public sealed record PendingOrderResponse(long Id, OrderSource Source, string OrderId, string? OrderKey, DateTime OrderDate, int AgeMinutes);

/// <summary>A page of a run's pending orders, oldest first; <c>nextCursor</c> is null on the last page.</summary>
public sealed record RunPendingPage(Guid RunId, DateTime? Cutoff, DateTime? PendingAfter, IReadOnlyList<PendingOrderResponse> Items, string? NextCursor);

/// <summary>GET /api/v1/runs/{id}/pending — the orders the run counted as pending, with their age.</summary>
public static class ListPendingOrders
{
    const int DefaultLimit = 100, MaxLimit = 1000;

    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/runs/{id:guid}/pending", Handle)
        .WithName(nameof(ListPendingOrders))
        .WithLimit(MaxLimit)
        .WithSummary("List the orders a run counted as pending (younger than settleMinutes at its cut-off), with their age")
        .WithDescription("An unpaired order dated after the run's pendingAfter (its cut-off less settleMinutes) is not called missing yet. " +
            "Page with `limit` (1–1000, default 100) and `cursor` = the previous page's `nextCursor`.")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: Examples.Pending);

    public static async Task<Results<Ok<RunPendingPage>, ProblemHttpResult, ValidationProblem>> Handle(
        Guid id, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct, int limit = DefaultLimit, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        Paging.CheckLimit(errors, limit, MaxLimit);
        var after = Paging.IdCursor(errors, cursor) ?? 0;
        if (errors.Count > 0)
            return Problems.InvalidQuery(errors);
        var workspaceId = user.WorkspaceId();
        var run = await db.Runs.AsNoTracking().Where(r => r.Id == id && r.WorkspaceId == workspaceId)
            .Select(r => new { r.Cutoff, r.PendingAfter }).SingleOrDefaultAsync(ct);
        if (run is null)
            return Problems.NotFound("Run", id);
        var rows = await db.RunPendingOrders.AsNoTracking()
            .Where(p => p.RunId == id && p.Id > after)
            .OrderBy(p => p.Id)
            .Take(limit + 1)
            .ToListAsync(ct);
        var items = rows.Take(limit).Select(p => new PendingOrderResponse(p.Id, p.Source, p.OrderId, p.OrderKey, p.OrderDate,
            run.Cutoff is { } cutoff ? (int)Math.Max(0, (cutoff - p.OrderDate).TotalMinutes) : 0)).ToList();
        return TypedResults.Ok(new RunPendingPage(id, run.Cutoff, run.PendingAfter, items, rows.Count > limit ? items[^1].Id.ToString() : null));
    }
}
