namespace ReconcileApi.Features.Schedules;

/// <summary>GET /api/v1/schedules/{id}.</summary>
public static class GetSchedule
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/schedules/{id:guid}", Handle)
        .WithName(nameof(GetSchedule))
        .WithSummary("Read a schedule and its next occurrence")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: Examples.ScheduleResponse);

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> Handle(
        Guid id, ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var row = await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.WorkspaceId == workspaceId, ct);
        return row is null ? Problems.NotFound("Schedule", id) : TypedResults.Ok(ScheduleResponse.Of(row, clock.GetUtcNow().UtcDateTime));
    }
}
