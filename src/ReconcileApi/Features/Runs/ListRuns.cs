namespace ReconcileApi.Features.Runs;

public sealed record RunPage(IReadOnlyList<RunResponse> Items, string? NextCursor);

/// <summary>GET /api/v1/runs — newest first, cursor paged like the discrepancy lists.</summary>
public static class ListRuns
{
    const int DefaultLimit = 50, MaxLimit = 500;

    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/runs", Handle)
        .WithName(nameof(ListRuns))
        .WithLimit(MaxLimit)
        .WithSummary("List runs, newest first, a page at a time")
        .WithDescription("`limit` 1–500 (default 50); pass the previous page's `nextCursor` as `cursor`. `scheduleId` keeps one schedule's runs, " +
            "`status` one status (queued, running, succeeded, failed, cancelled).")
        .ProducesValidationProblem()
        .WithMetadata(OpenApi.EnumParameter<RunStatus>("status"))
        .WithExamples(response: new RunPage([Examples.Run], null));

    public static async Task<Results<Ok<RunPage>, ValidationProblem>> Handle(
        ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct,
        int limit = DefaultLimit, string? cursor = null, string? status = null, Guid? scheduleId = null)
    {
        var workspaceId = user.WorkspaceId();
        var errors = new Dictionary<string, string[]>();
        Paging.CheckLimit(errors, limit, MaxLimit);
        var query = db.Runs.AsNoTracking().Where(r => r.WorkspaceId == workspaceId);
        if (WireEnum.ParseList<RunStatus>(status, "status", errors) is { } statuses)
            query = query.Where(r => statuses.Contains(r.Status));
        if (scheduleId is { } schedule)
            query = query.Where(r => r.ScheduleId == schedule);
        if (Paging.TimeIdCursor(errors, cursor) is (var at, var id))
            query = query.Where(r => r.CreatedAt < at || (r.CreatedAt == at && r.Id.CompareTo(id) < 0));
        if (errors.Count > 0)
            return Problems.InvalidQuery(errors);
        var runs = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (runs.Count > limit)
        {
            runs.RemoveAt(limit);
            next = Paging.TimeIdCursor(runs[^1].CreatedAt, runs[^1].Id);
        }
        return TypedResults.Ok(new RunPage(runs.Select(RunResponse.Of).ToList(), next));
    }
}
