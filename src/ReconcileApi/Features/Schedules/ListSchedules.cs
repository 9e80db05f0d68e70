namespace ReconcileApi.Features.Schedules;

/// <summary>GET /api/v1/schedules — oldest first.</summary>
public static class ListSchedules
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/schedules", Handle)
        .WithName(nameof(ListSchedules))
        .WithSummary("List the workspace's schedules with their next occurrence")
        .WithExamples(response: new[] { Examples.ScheduleResponse });

    public static async Task<Ok<List<ScheduleResponse>>> Handle(ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.Schedules.AsNoTracking().Where(s => s.WorkspaceId == workspaceId).OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(s => ScheduleResponse.Of(s, now)).ToList());
    }
}
