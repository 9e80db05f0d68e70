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
    const int DefaultLimit = 50, MaxLimit = 500;

    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/alerts", Handle)
        .WithName(nameof(ListAlerts))
        .WithLimit(MaxLimit)
        .WithSummary("List alerts, newest first (status=open for the conditions that still hold)")
        .WithDescription("`limit` 1–500 (default 50); pass the previous page's `nextCursor` as `cursor`; `status` open or cleared.")
        .ProducesValidationProblem()
        .WithMetadata(OpenApi.EnumParameter<AlertStatus>("status"))
        .WithExamples(response: Examples.AlertPage);

    public static async Task<Results<Ok<AlertPage>, ValidationProblem>> Handle(
        ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct, string? status = null, int limit = DefaultLimit, string? cursor = null)
    {
        var workspaceId = user.WorkspaceId();
        var query = db.Alerts.AsNoTracking().Where(a => a.WorkspaceId == workspaceId);
        var errors = new Dictionary<string, string[]>();
        Paging.CheckLimit(errors, limit, MaxLimit);
        if (WireEnum.ParseList<AlertStatus>(status, "status", errors) is { } statuses)
        {
            // Both statuses are every alert.
            var (open, cleared) = (statuses.Contains(AlertStatus.Open), statuses.Contains(AlertStatus.Cleared));
            if (open != cleared)
                query = open ? query.Where(a => a.ClearedAt == null) : query.Where(a => a.ClearedAt != null);
        }
        if (Paging.IdCursor(errors, cursor) is { } before)
            query = query.Where(a => a.Id < before);
        if (errors.Count > 0)
            return Problems.InvalidQuery(errors);
        var rows = await query.OrderByDescending(a => a.Id).Take(limit + 1).ToListAsync(ct);
        var next = rows.Count > limit ? rows[limit - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AlertPage(rows.Take(limit).Select(AlertResponse.Of).ToList(), next));
    }
}
