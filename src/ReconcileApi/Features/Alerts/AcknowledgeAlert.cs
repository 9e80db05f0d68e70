using FluentValidation;

namespace ReconcileApi.Features.Alerts;

public sealed record AcknowledgeAlertRequest(string? By = null);

public sealed class AcknowledgeAlertRequestValidator : AbstractValidator<AcknowledgeAlertRequest>
{
    public AcknowledgeAlertRequestValidator() => RuleFor(r => r.By).Text(200);
}

/// <summary>POST /api/v1/alerts/{id}/acknowledge — someone has seen it; it stays open until its condition clears.</summary>
public static class AcknowledgeAlert
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/alerts/{id:long}/acknowledge", Handle)
        .WithName(nameof(AcknowledgeAlert))
        .WithSummary("Acknowledge an alert (again is a no-op); it stays open until its condition clears")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(request: new AcknowledgeAlertRequest("ana@example.com"), response: Examples.AlertPage.Items[0] with
        {
            Acknowledged = true, AcknowledgedAt = Examples.AlertPage.Items[0].TriggeredAt.AddHours(1), AcknowledgedBy = "ana@example.com",
        });

    public static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> Handle(
        long id, AcknowledgeAlertRequest? request, ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var now = clock.GetUtcNow().UtcDateTime;
        var by = request?.By is { Length: > 0 } name ? name : null;
        // Only the first acknowledgement is stored, in one conditional update, so two at once cannot both win; every caller
        // is answered with what is stored (a later one is a repeat, not a conflict).
        await db.Alerts.Where(a => a.Id == id && a.WorkspaceId == workspaceId && a.AcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.AcknowledgedAt, now).SetProperty(a => a.AcknowledgedBy, by), ct);
        var alert = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.WorkspaceId == workspaceId, ct);
        return alert is null ? Problems.NotFound("Alert", id) : TypedResults.Ok(AlertResponse.Of(alert));
    }
}
