using System.Text.Json.Serialization;

namespace ReconcileApi.Features.Alerts;

[JsonConverter(typeof(SnakeCaseEnumConverter<AlertStatus>))]
public enum AlertStatus { Open, Cleared }

public sealed record AlertResponse(
    long Id, AlertRuleKind Rule, AlertStatus Status, bool Acknowledged, string Message, decimal? Value, decimal? Threshold,
    Guid? ScheduleId, Guid? RunId, DateTime TriggeredAt, DateTime? ClearedAt, DateTime? AcknowledgedAt, string? AcknowledgedBy)
{
    public static AlertResponse Of(Alert a) => new(
        a.Id, WireEnum.Parse<AlertRuleKind>(a.Rule), a.ClearedAt is null ? AlertStatus.Open : AlertStatus.Cleared, a.AcknowledgedAt is not null,
        a.Message, a.Value, a.Threshold, a.ScheduleId, a.RunId, a.TriggeredAt, a.ClearedAt, a.AcknowledgedAt, a.AcknowledgedBy);
}

public sealed record AlertPage(IReadOnlyList<AlertResponse> Items, string? NextCursor);

/// <summary>GET /api/v1/alerts — newest first, a page at a time.</summary>
public static class ListAlerts
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/alerts", Handle)
        .WithName(nameof(ListAlerts))
        .WithSummary("List alerts, newest first (status=open for the conditions that still hold)")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .WithExamples(response: Examples.AlertPage);

    public static async Task<Results<Ok<AlertPage>, ProblemHttpResult>> Handle(
        ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct, string? status = null, int limit = 50, string? cursor = null)
    {
        var workspaceId = user.WorkspaceId();
        var query = db.Alerts.AsNoTracking().Where(a => a.WorkspaceId == workspaceId);
        if (status is not null)
        {
            if (!WireEnum.TryParse<AlertStatus>(status, out var wanted))
                return Problems.BadRequest($"status must be one of: {WireEnum.Names<AlertStatus>()}.");
            query = wanted == AlertStatus.Open ? query.Where(a => a.ClearedAt == null) : query.Where(a => a.ClearedAt != null);
        }
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, out var before) || before <= 0)
                return Problems.BadRequest("cursor must be the nextCursor of a previous page.");
            query = query.Where(a => a.Id < before);
        }
        var size = Math.Clamp(limit, 1, 500);
        var rows = await query.OrderByDescending(a => a.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? rows[size - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AlertPage(rows.Take(size).Select(AlertResponse.Of).ToList(), next));
    }
}
