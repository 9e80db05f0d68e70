namespace ReconcileApi.Features.Runs;

/// <summary>GET /api/v1/runs — newest first.</summary>
public static class ListRuns
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/runs", Handle)
        .WithName(nameof(ListRuns))
        .WithSummary("List runs, newest first")
        .WithExamples(response: new[] { Examples.Run });

    public static async Task<Ok<List<RunResponse>>> Handle(ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct, int limit = 50)
    {
        var workspaceId = user.WorkspaceId();
        var runs = await db.Runs.AsNoTracking()
            .Where(r => r.WorkspaceId == workspaceId)
            .OrderByDescending(r => r.CreatedAt)
            .Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(ct);
        return TypedResults.Ok(runs.Select(RunResponse.Of).ToList());
    }
}
