namespace ReconcileApi.Features.Runs;

/// <summary>GET /api/v1/runs/{id} — status, progress and the summary by category.</summary>
public static class GetRun
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/runs/{id:guid}", Handle)
        .WithName(nameof(GetRun))
        .WithSummary("Read a run: status, progress while it works, and its summary when done")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: Examples.Run);

    public static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.WorkspaceId == workspaceId, ct);
        return run is null ? Problems.NotFound("Run", id) : TypedResults.Ok(RunResponse.Of(run));
    }
}
