using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Discrepancies;

public sealed record ResolveRequest(string Action, string? Note, string ResolvedBy);

public sealed class ResolveRequestValidator : AbstractValidator<ResolveRequest>
{
    public ResolveRequestValidator()
    {
        RuleFor(r => r.Action).NotEmpty().Must(a => Resolutions.Transitions.ContainsKey(a ?? ""))
            .WithMessage(r => $"'{r.Action}' is not an action; use one of: {string.Join(", ", Resolutions.Transitions.Keys)}.");
        RuleFor(r => r.ResolvedBy).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Note).MaximumLength(2000);
    }
}

/// <summary>Which action moves a discrepancy from which states to which.</summary>
public static class Resolutions
{
    static readonly DiscrepancyState[] Active = [DiscrepancyState.Open, DiscrepancyState.Acknowledged];

    public static readonly IReadOnlyDictionary<string, (DiscrepancyState[] From, DiscrepancyState To)> Transitions =
        new Dictionary<string, (DiscrepancyState[], DiscrepancyState)>(StringComparer.Ordinal)
        {
            ["acknowledge"] = ([DiscrepancyState.Open], DiscrepancyState.Acknowledged),
            ["resynced"] = (Active, DiscrepancyState.Resolved),
            ["created_in_keap"] = (Active, DiscrepancyState.Resolved),
            ["updated_in_keap"] = (Active, DiscrepancyState.Resolved),
            ["updated_in_store"] = (Active, DiscrepancyState.Resolved),
            ["accepted_difference"] = (Active, DiscrepancyState.Ignored),
            ["false_positive"] = (Active, DiscrepancyState.Ignored),
            ["reopen"] = ([DiscrepancyState.Resolved, DiscrepancyState.Ignored], DiscrepancyState.Open),
        };

    /// <summary>Why the action does not apply to the discrepancy in its current state, or null when it does.</summary>
    public static string? Conflict(Discrepancy d, string action)
    {
        var (from, _) = Transitions[action];
        return from.Contains(d.State)
            ? null
            : $"The discrepancy is {WireEnum.Name(d.State)}; '{action}' applies only to {string.Join(" or ", from.Select(WireEnum.Name))} ones.";
    }

    /// <summary>Moves a tracked discrepancy to the action's state and records who did it in its history.</summary>
    public static DiscrepancyEvent Apply(Discrepancy d, string action, string? note, string resolvedBy, DateTime now)
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
        var e = DiscrepancyLifecycle.Event(d.Id, "state_changed", previous, d.State, null, now,
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
            "accepted_difference, false_positive (→ ignored); reopen (resolved or ignored → open). Send If-Match with the ETag you read to avoid " +
            "overwriting someone else's change (412 when stale). Returns the whole updated discrepancy.")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .WithExamples(request: Examples.Resolve, response: Examples.ResolvedDiscrepancy);

    public static async Task<Results<Ok<DiscrepancyResponse>, ProblemHttpResult>> Handle(
        long id, ResolveRequest request, [FromHeader(Name = "If-Match")] string? ifMatch,
        ClaimsPrincipal user, ReconcileDbContext db, HttpResponse response, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var d = await db.Discrepancies.SingleOrDefaultAsync(x => x.Id == id && x.WorkspaceId == workspaceId, ct);
        if (d is null)
            return Problems.NotFound("Discrepancy", id);
        if (!ETags.Matches(ifMatch, d.Version))
            return Problems.PreconditionFailed($"The discrepancy changed since you read it (it is now ETag {ETags.Of(d.Version)}); read it again.");

        if (Resolutions.Conflict(d, request.Action) is { } conflict)
            return Problems.Conflict(conflict, new Dictionary<string, object?> { ["currentState"] = WireEnum.Name(d.State) });

        db.DiscrepancyEvents.Add(Resolutions.Apply(d, request.Action, request.Note, request.ResolvedBy, clock.GetUtcNow().UtcDateTime));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.PreconditionFailed("The discrepancy changed while this request was applied; read it again.");
        }
        response.Headers.ETag = ETags.Of(d.Version);
        return TypedResults.Ok(DiscrepancyResponse.From(d));
    }
}
