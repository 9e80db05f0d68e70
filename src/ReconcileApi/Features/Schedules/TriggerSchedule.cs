using ReconcileApi.Features.Runs;

namespace ReconcileApi.Features.Schedules;

/// <summary>POST /api/v1/schedules/{id}/trigger — one run of the schedule now, outside its cron.</summary>
public static class TriggerSchedule
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/schedules/{id:guid}/trigger", Handle)
        .WithName(nameof(TriggerSchedule))
        .WithSummary("Run a schedule now: 202 with the run it started (poll its Location)")
        .WithDescription("The run covers the schedule's windowDays up to now and is watched by the schedule's alert rules. A disabled schedule can be triggered too.")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: Examples.Run);

    public static async Task<Results<Accepted<RunResponse>, ProblemHttpResult>> Handle(
        Guid id, ClaimsPrincipal user, ReconcileDbContext db, RunStarter runs, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var schedule = await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.WorkspaceId == workspaceId, ct);
        if (schedule is null)
            return Problems.NotFound("Schedule", id);
        var run = await runs.StartAsync(workspaceId, Schedules.RunFor(schedule, clock.GetUtcNow().UtcDateTime, occurrence: null), ct);
        return TypedResults.Accepted($"/api/v1/runs/{run!.Id}", RunResponse.Of(run));
    }
}
