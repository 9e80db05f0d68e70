using System.Text.Json.Serialization;
using FluentValidation;

namespace ReconcileApi.Features.Discrepancies;

public sealed record ResolveManyRequest(
    IReadOnlyList<long> Ids, [property: OpenApi.ValuesOf(typeof(Resolutions), nameof(Resolutions.Actions), "ResolveAction")] string Action, string? Note, string ResolvedBy);

[JsonConverter(typeof(SnakeCaseEnumConverter<ResolutionOutcome>))]
public enum ResolutionOutcome { Applied, Unchanged, NotFound, InvalidTransition, ChangedConcurrently }

public sealed record ResolutionResult(long Id, ResolutionOutcome Outcome, DiscrepancyState? State, string? Detail);

/// <summary><c>unchanged</c> counts ids already in the action's state by that action (a repeat): they succeed without a change.</summary>
public sealed record ResolveManyResponse(int Applied, int Unchanged, int Failed, IReadOnlyList<ResolutionResult> Results);

public sealed class ResolveManyRequestValidator : AbstractValidator<ResolveManyRequest>
{
    public const int MaxIds = 1000;

    public ResolveManyRequestValidator()
    {
        RuleFor(r => r.Ids).NotEmpty().WithMessage("Is required: the ids of the discrepancies to resolve.").Must(ids => ids.Count <= MaxIds).WithMessage($"Send at most {MaxIds} ids per call.");
        RuleFor(r => r.Action).Must(a => Resolutions.TryParse(a, out _))
            .WithMessage(r => $"'{r.Action}' is not an action; use one of: {Resolutions.Names}.");
        RuleFor(r => r.ResolvedBy).NotEmpty().WithMessage("Is required: who resolved it (a name or an email).").Text(200);
        RuleFor(r => r.Note).Text(2000, prose: true);
    }
}

/// <summary>POST /api/v1/discrepancies/resolutions — one action for many discrepancies; each id succeeds or fails on its own.</summary>
public static class ResolveDiscrepancies
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/discrepancies/resolutions", Handle)
        .WithName(nameof(ResolveDiscrepancies))
        .WithSummary("Apply one resolution action to up to 1,000 discrepancies; the answer reports each id")
        .WithDescription("Each id is applied whole or not at all: `applied`, `unchanged` (already in the action's state by that action: a repeat, " +
            "counted as done, not as failed), `not_found` (no such id in this workspace), " +
            "`invalid_transition` (the action does not apply to its current state) or `changed_concurrently`. " +
            "`results` has one entry per id sent, in that order: an id given twice is applied once and its second entry is `unchanged`.")
        .ProducesValidationProblem()
        .WithExamples(
            request: new ResolveManyRequest([1042, 1043, 999], "accepted_difference", "Rounding on legacy orders", "ana@example.com"),
            response: new ResolveManyResponse(2, 0, 1,
            [
                new(1042, ResolutionOutcome.Applied, DiscrepancyState.Ignored, null),
                new(1043, ResolutionOutcome.Applied, DiscrepancyState.Ignored, null),
                new(999, ResolutionOutcome.NotFound, null, "Discrepancy '999' was not found in this workspace."),
            ]));

    public static async Task<Ok<ResolveManyResponse>> Handle(
        ResolveManyRequest request, ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = request.Ids.Distinct().ToList();
        Resolutions.TryParse(request.Action, out var action);
        var results = new Dictionary<long, ResolutionResult>();
        // An id another request changed meanwhile is decided again on what that request left (an identical request that won
        // makes it a repeat: unchanged); the ids that lost no race are saved at once.
        var pending = ids;
        return TypedResults.Ok(await db.DecideAgainLockedAsync<ResolveManyResponse>(workspaceId, async () =>
        {
            pending = await ApplyAsync(db, workspaceId, pending, action, request, now, results, ct);
            return pending.Count == 0 ? Summary(request.Ids, results) : null;
        }, () =>
        {
            foreach (var id in pending)
                results[id] = new(id, ResolutionOutcome.ChangedConcurrently, null, "The discrepancy kept changing under other requests while this one was applied; send it again.");
            return Summary(request.Ids, results);
        }, ct));
    }

    /// <summary>Decides and saves each id into <paramref name="results"/>; the ids whose write another request beat, to decide again.</summary>
    static async Task<List<long>> ApplyAsync(ReconcileDbContext db, Guid workspaceId, List<long> ids, ResolutionAction action, ResolveManyRequest request,
        DateTime now, Dictionary<long, ResolutionResult> results, CancellationToken ct)
    {
        var found = await db.Discrepancies.Where(d => d.WorkspaceId == workspaceId && ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        var events = new Dictionary<long, DiscrepancyEvent>();
        foreach (var id in ids)
        {
            if (!found.TryGetValue(id, out var d))
                results[id] = new(id, ResolutionOutcome.NotFound, null, $"Discrepancy '{id}' was not found in this workspace.");
            else if (Resolutions.AlreadyApplied(d, action))
                results[id] = new(id, ResolutionOutcome.Unchanged, d.State, null);
            else if (Resolutions.Conflict(d.State, action) is { } conflict)
                results[id] = new(id, ResolutionOutcome.InvalidTransition, d.State, conflict);
            else
            {
                events[id] = db.DiscrepancyEvents.Add(Resolutions.Apply(d, action, request.Note, request.ResolvedBy, now)).Entity;
                results[id] = new(id, ResolutionOutcome.Applied, d.State, null);
            }
        }
        var lost = new List<long>();
        while (true)
        {
            try
            {
                await db.SaveChangesAsync(ct);
                return lost;
            }
            catch (DbUpdateConcurrencyException e)
            {
                foreach (var entry in e.Entries.Where(x => x.Entity is Discrepancy))
                {
                    var d = (Discrepancy)entry.Entity;
                    entry.State = EntityState.Detached;
                    db.Entry(events[d.Id]).State = EntityState.Detached;
                    lost.Add(d.Id);
                }
            }
        }
    }

    /// <summary>
    /// One result per id sent, in the order sent: an id given again is applied once, and its repeat reported as a repeat
    /// (<c>unchanged</c>) of what the first did, or as the same failure.
    /// </summary>
    static ResolveManyResponse Summary(IReadOnlyList<long> ids, Dictionary<long, ResolutionResult> results)
    {
        var seen = new HashSet<long>();
        var ordered = ids.Select(id => seen.Add(id) || results[id].Outcome is not (ResolutionOutcome.Applied or ResolutionOutcome.Unchanged)
            ? results[id]
            : new ResolutionResult(id, ResolutionOutcome.Unchanged, results[id].State, "Given earlier in this request: applied once.")).ToList();
        var applied = ordered.Count(r => r.Outcome == ResolutionOutcome.Applied);
        var unchanged = ordered.Count(r => r.Outcome == ResolutionOutcome.Unchanged);
        return new ResolveManyResponse(applied, unchanged, ordered.Count - applied - unchanged, ordered);
    }
}
