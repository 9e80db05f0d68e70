namespace ReconcileApi.Features.Runs;

/// <summary>POST /api/v1/runs/{id}/cancel — stop a queued or running run; its findings are not saved.</summary>
public static class CancelRun
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/runs/{id:guid}/cancel", Handle)
        .WithName(nameof(CancelRun))
        .WithSummary("Cancel a queued or running run")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblemSaying(StatusCodes.Status409Conflict, NotCancellable(RunStatus.Succeeded))
        .WithExamples(response: Examples.Run with { Status = RunStatus.Cancelled });

    public static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> Handle(
        Guid id, ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Runs
            .Where(r => r.Id == id && r.WorkspaceId == workspaceId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.FinishedAt, now), ct);
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.WorkspaceId == workspaceId, ct);
        if (run is null)
            return Problems.NotFound("Run", id);
        return run.Status == RunStatus.Cancelled
            ? TypedResults.Ok(RunResponse.Of(run))
            : Problems.Conflict(NotCancellable(run.Status));
    }

    static string NotCancellable(RunStatus status) => $"The run is {WireEnum.Name(status)}; only queued or running runs can be cancelled.";
}
