namespace ReconcileApi.Features.Discrepancies;

/// <summary>GET /api/v1/discrepancies/{id} — with an ETag for If-Match on the resolution.</summary>
public static class GetDiscrepancy
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/discrepancies/{id:long}", Handle)
        .WithName(nameof(GetDiscrepancy))
        .WithSummary("Read one discrepancy (the ETag header guards a later resolution with If-Match)")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithETag("the discrepancy")
        .WithExamples(response: Examples.Discrepancy);

    public static async Task<Results<Ok<DiscrepancyResponse>, ProblemHttpResult>> Handle(
        long id, ClaimsPrincipal user, ReconcileDbContext db, HttpResponse response, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var d = await db.Discrepancies.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && x.WorkspaceId == workspaceId, ct);
        if (d is null)
            return Problems.NotFound("Discrepancy", id);
        response.Headers.ETag = ETags.Of(d.Version);
        return TypedResults.Ok(DiscrepancyResponse.From(d));
    }
}
