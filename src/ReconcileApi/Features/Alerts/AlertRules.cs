using FluentValidation;

namespace ReconcileApi.Features.Alerts;

/// <summary>The rules watched after every run of the workspace (a schedule adds its own).</summary>
public sealed record AlertRulesRequest(IReadOnlyList<AlertRule> Rules);

public sealed record AlertRulesResponse(IReadOnlyList<AlertRule> Rules);

public sealed class AlertRulesRequestValidator : AbstractValidator<AlertRulesRequest>
{
    public AlertRulesRequestValidator() =>
        RuleFor(r => (IEnumerable<AlertRule>)r.Rules).NotNull().WithMessage("Is required: a list of rules ([] removes them all).").ValidAlertRules().OverridePropertyName("rules");
}

/// <summary>GET/PUT /api/v1/alert-rules.</summary>
public static class AlertRules
{
    public static List<AlertRule> Parse(string json) => JsonSerializer.Deserialize<List<AlertRule>>(json, StoredJson.Options)!;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/alert-rules", GetAlertRules)
            .WithName(nameof(GetAlertRules))
            .WithSummary("Read the alert rules watched after every run of the workspace")
            .WithExamples(response: new AlertRulesResponse(Examples.Schedule.Alerts!));
        group.MapPut("/alert-rules", UpdateAlertRules)
            .WithName(nameof(UpdateAlertRules))
            .WithSummary("Replace the workspace's alert rules (an empty list turns them off)")
            .WithDescription("Rules: match_rate_below {threshold 0–1}, impact_above {threshold: money}, new_discrepancies_above {threshold: count, category?, severity?}, " +
                "side_silent {hours}: one source has no order dated in that many hours while the other has (checked after every ingest too), run_failed. " +
                "Each fires once when its condition starts to hold and again only after it cleared.")
            .ProducesValidationProblem()
            .WithExamples(request: new AlertRulesRequest(Examples.Schedule.Alerts!), response: new AlertRulesResponse(Examples.Schedule.Alerts!));
    }

    public static async Task<Ok<AlertRulesResponse>> GetAlertRules(ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var json = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.AlertRules).SingleAsync(ct);
        return TypedResults.Ok(new AlertRulesResponse(Parse(json)));
    }

    public static async Task<Ok<AlertRulesResponse>> UpdateAlertRules(AlertRulesRequest request, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var json = JsonSerializer.Serialize(request.Rules, StoredJson.Options);
        await db.Workspaces.Where(w => w.Id == workspaceId).ExecuteUpdateAsync(s => s.SetProperty(w => w.AlertRules, json), ct);
        return TypedResults.Ok(new AlertRulesResponse(request.Rules));
    }
}
