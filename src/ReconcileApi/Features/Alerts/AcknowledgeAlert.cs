namespace ReconcileApi.Features.Alerts;

public sealed record AcknowledgeAlertRequest(string? By = null);

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
        var alert = await db.Alerts.SingleOrDefaultAsync(a => a.Id == id && a.WorkspaceId == workspaceId, ct);
        if (alert is null)
            return Problems.NotFound("Alert", id);
        if (alert.AcknowledgedAt is null)
        {
            alert.AcknowledgedAt = clock.GetUtcNow().UtcDateTime;
            alert.AcknowledgedBy = request?.By is { Length: > 0 } by ? by[..Math.Min(by.Length, 200)] : null;
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(AlertResponse.Of(alert));
    }
}
