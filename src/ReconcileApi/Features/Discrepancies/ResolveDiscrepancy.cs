using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace ReconcileApi.Features.Discrepancies;

public sealed record ResolveRequest([property: OpenApi.ValuesOf(typeof(Resolutions), nameof(Resolutions.Actions), "ResolveAction")] string Action, string? Note, string ResolvedBy);

public sealed class ResolveRequestValidator : AbstractValidator<ResolveRequest>
{
    public ResolveRequestValidator()
    {
        RuleFor(r => r.Action).NotEmpty().WithMessage($"Is required; use one of: {Resolutions.Names}.").Must(a => Resolutions.TryParse(a, out _))
            .WithMessage(r => $"'{r.Action}' is not an action; use one of: {Resolutions.Names}.");
        RuleFor(r => r.ResolvedBy).NotEmpty().WithMessage("Is required: who resolved it (a name or an email).").Text(200);
        RuleFor(r => r.Note).Text(2000, prose: true);
    }
}

/// <summary>Which action moves a discrepancy from which states to which.</summary>
public static class Resolutions
{
    static readonly DiscrepancyState[] Active = [DiscrepancyState.Open, DiscrepancyState.Acknowledged];

    /// <summary>The actions a person may send (a run's <see cref="ResolutionAction.VerifiedFixed"/> is not one).</summary>
    public static readonly IReadOnlyDictionary<ResolutionAction, (DiscrepancyState[] From, DiscrepancyState To)> Transitions =
        new Dictionary<ResolutionAction, (DiscrepancyState[], DiscrepancyState)>
        {
            [ResolutionAction.Acknowledge] = ([DiscrepancyState.Open], DiscrepancyState.Acknowledged),
            [ResolutionAction.Resynced] = (Active, DiscrepancyState.Resolved),
            [ResolutionAction.CreatedInKeap] = (Active, DiscrepancyState.Resolved),
            [ResolutionAction.UpdatedInKeap] = (Active, DiscrepancyState.Resolved),
            [ResolutionAction.UpdatedInStore] = (Active, DiscrepancyState.Resolved),
            [ResolutionAction.AcceptedDifference] = (Active, DiscrepancyState.Ignored),
            [ResolutionAction.FalsePositive] = (Active, DiscrepancyState.Ignored),
            [ResolutionAction.Reopen] = ([DiscrepancyState.Resolved, DiscrepancyState.Ignored], DiscrepancyState.Open),
        };

    public static IReadOnlyList<string> Actions { get; } = Transitions.Keys.Select(WireEnum.Name).ToList();

    public static string Names { get; } = string.Join(", ", Actions);

    /// <summary>An action as sent ("updated_in_keap"), if it is one a person may send.</summary>
    public static bool TryParse(string? text, out ResolutionAction action) =>
        WireEnum.TryParse(text, out action) && Transitions.ContainsKey(action);

    /// <summary>
    /// Whether the discrepancy already is where the action takes it, and (resolved or ignored) by that same action: a
    /// repeated request — Zapier's Autoreplay, Make's re-run — which is answered as a no-op, not as a conflict.
    /// </summary>
    public static bool AlreadyApplied(Discrepancy d, ResolutionAction action)
    {
        var to = Transitions[action].To;
        return d.State == to && (to is not (DiscrepancyState.Resolved or DiscrepancyState.Ignored) || d.ResolutionAction == action);
    }

    /// <summary>Why the action does not apply to the discrepancy in its current state, or null when it does.</summary>
    public static string? Conflict(DiscrepancyState state, ResolutionAction action)
    {
        var (from, _) = Transitions[action];
        return from.Contains(state)
            ? null
            : $"The discrepancy is {WireEnum.Name(state)}; '{WireEnum.Name(action)}' applies only to {string.Join(" or ", from.Select(WireEnum.Name))} ones.";
    }

    /// <summary>Moves a tracked discrepancy to the action's state and records who did it in its history.</summary>
    public static DiscrepancyEvent Apply(Discrepancy d, ResolutionAction action, string? note, string resolvedBy, DateTime now)
    {
        var previous = d.State;
        d.State = Transitions[action].To;
        if (d.State is DiscrepancyState.Resolved or DiscrepancyState.Ignored)
        {
            d.ResolutionAction = action;
            d.ResolutionNote = note;
            d.ResolvedBy = resolvedBy;
            d.ResolvedAt = now;
        }
        else if (d.State == DiscrepancyState.Open)
        {
            d.ResolutionAction = null;
            d.ResolutionNote = null;
            d.ResolvedBy = null;
            d.ResolvedAt = null;
        }
        d.UpdatedAt = now;
        d.Version++;
        var e = DiscrepancyLifecycle.Event(d.Id, DiscrepancyEventKind.StateChanged, previous, d.State, null, now,
            DiscrepancyLifecycle.Snapshot(d.Severity, d.StoreValue, d.KeapValue, d.Difference, d.Impact, d.Currency));
        e.Actor = resolvedBy;
        e.Action = action;
        e.Note = note;
        return e;
    }
}

/// <summary>POST /api/v1/discrepancies/{id}/resolution — change the state, recorded in the history.</summary>
public static class ResolveDiscrepancy
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/discrepancies/{id:long}/resolution", Handle)
        .WithName(nameof(ResolveDiscrepancy))
        .WithSummary("Resolve, acknowledge, ignore or reopen a discrepancy")
        .WithDescription("Actions: acknowledge (open → acknowledged); resynced, created_in_keap, updated_in_keap, updated_in_store (→ resolved); " +
            "accepted_difference, false_positive (→ ignored); reopen (resolved or ignored → open). Repeating the action that put the discrepancy " +
            "in its current state changes nothing and answers 200 with it (a replayed request is not a conflict); another action that does not apply " +
            "to the state is 409. Send If-Match with the ETag you read to avoid " +
            "overwriting someone else's change (412 when stale); If-None-Match with an ETag applies the action only when the discrepancy is no longer " +
            "that version, and If-None-Match: * is always 412 (the discrepancy exists). Returns the whole updated discrepancy.")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblemSaying(StatusCodes.Status409Conflict, Resolutions.Conflict(DiscrepancyState.Resolved, ResolutionAction.Acknowledge)!)
        .ProducesProblemSaying(StatusCodes.Status412PreconditionFailed, Stale(4))
        .WithETag("the discrepancy", always: false)
        .WithExamples(request: Examples.Resolve, response: Examples.ResolvedDiscrepancy);

    public static async Task<Results<Ok<DiscrepancyResponse>, ProblemHttpResult>> Handle(
        long id, ResolveRequest request, [FromHeader(Name = ETags.IfMatchHeader)] string? ifMatch,
        [FromHeader(Name = ETags.IfNoneMatchHeader)] string? ifNoneMatch, ClaimsPrincipal user, ReconcileDbContext db, HttpResponse response, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        Resolutions.TryParse(request.Action, out var action);
        // Without If-Match the caller asked for the action, not for the version it read: when another request changes the
        // discrepancy meanwhile, the action is decided again on what that request left (a repeat, a conflict, or applied).
        return await db.DecideAgainLockedAsync<Results<Ok<DiscrepancyResponse>, ProblemHttpResult>>(workspaceId, async () =>
        {
            var d = await db.Discrepancies.SingleOrDefaultAsync(x => x.Id == id && x.WorkspaceId == workspaceId, ct);
            if (d is null)
                return Problems.NotFound("Discrepancy", id);
            // Before the repeat: If-None-Match: * (the discrepancy exists) refused the first attempt too, so its retry is refused alike.
            if (!ETags.NoneMatch(ifNoneMatch, d.Version))
                return ETags.Exists(ifNoneMatch, d.Version);
            // A repeat overwrites nothing, so even the If-Match of the first attempt (now stale) gets the discrepancy as it is.
            if (Resolutions.AlreadyApplied(d, action))
            {
                response.Headers.ETag = ETags.Of(d.Version);
                return TypedResults.Ok(DiscrepancyResponse.From(d));
            }
            if (!ETags.Matches(ifMatch, d.Version))
                return Problems.PreconditionFailed(Stale(d.Version));

            if (Resolutions.Conflict(d.State, action) is { } conflict)
                return Problems.Conflict(conflict, new Dictionary<string, object?> { ["currentState"] = WireEnum.Name(d.State) });

            db.DiscrepancyEvents.Add(Resolutions.Apply(d, action, request.Note, request.ResolvedBy, clock.GetUtcNow().UtcDateTime));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Read again: an identical request that won (a replay, If-Match and all) left it as this one asked, a repeat
                // answered 200; any other change fails the If-Match of the next read (412), or, without one, is decided on.
                return null;
            }
            response.Headers.ETag = ETags.Of(d.Version);
            return TypedResults.Ok(DiscrepancyResponse.From(d));
        }, () => Problems.Conflict("The discrepancy kept changing under other requests while this one was applied; send it again."), ct);
    }

    static string Stale(int version) => $"The discrepancy changed since you read it (it is now ETag {ETags.Of(version)}); read it again.";
}
