namespace ReconcileApi.Features.Discrepancies;

public sealed record HistoryEntry(
    long Id, DiscrepancyEventKind Kind, DateTime At, string? Actor, DiscrepancyState? FromState, DiscrepancyState ToState,
    ResolutionAction? Action, string? Note, Guid? RunId, System.Text.Json.JsonElement? Values);

/// <summary>GET /api/v1/discrepancies/{id}/history — append-only: created, seen again, state changes by whom.</summary>
public static class GetDiscrepancyHistory
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/discrepancies/{id:long}/history", Handle)
        .WithName(nameof(GetDiscrepancyHistory))
        .WithSummary("Read the append-only history of a discrepancy, oldest first")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: Examples.History);

    public static async Task<Results<Ok<List<HistoryEntry>>, ProblemHttpResult>> Handle(
        long id, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        if (!await db.Discrepancies.AnyAsync(d => d.Id == id && d.WorkspaceId == workspaceId, ct))
            return Problems.NotFound("Discrepancy", id);
        var events = await db.DiscrepancyEvents.AsNoTracking()
            .Where(e => e.DiscrepancyId == id)
            .OrderBy(e => e.Id)
            .ToListAsync(ct);
        return TypedResults.Ok(events.ConvertAll(e => new HistoryEntry(
            e.Id, e.Kind, e.At, e.Actor, e.FromState, e.ToState, e.Action, e.Note, e.RunId,
            e.Values is null ? null : System.Text.Json.JsonDocument.Parse(e.Values).RootElement.Clone())));
    }
}
