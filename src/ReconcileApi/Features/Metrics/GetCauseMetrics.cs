namespace ReconcileApi.Features.Metrics;

[System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<Trend>))]
public enum Trend { New, Up, Down, Flat }

/// <summary>One cause of one category over the period and over the period before it.</summary>
public sealed record CauseMetric(string CauseCode, Category Category, int Findings, decimal Impact, int PreviousFindings, decimal PreviousImpact, Trend Trend);

public sealed record CauseMetrics(DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo, string Timezone, IReadOnlyList<CauseMetric> Causes);

/// <summary>GET /api/v1/metrics/causes — where the integration breaks most, and whether it is getting better.</summary>
public static class GetCauseMetrics
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/metrics/causes", Handle)
        .WithName(nameof(GetCauseMetrics))
        .WithSummary("The baseline of weak points: findings and money by cause and category, with the trend against the previous period")
        .WithDayParameters("from", "to")
        .WithDescription("Counts the discrepancies first detected in the period (`from`/`to`: days in the workspace's timezone, default the last 30) and in the " +
            "period of the same length just before it. Sorted by money, then findings. trend: new (none before), up, down or flat (by findings).")
        .ProducesValidationProblem()
        .WithExamples(response: Examples.CauseMetrics);

    public static async Task<Results<Ok<CauseMetrics>, ValidationProblem>> Handle(
        ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null)
    {
        var workspaceId = user.WorkspaceId();
        var (period, problem) = await MetricsPeriod.ReadAsync(from, to, workspaceId, db, clock, ct);
        if (problem is not null)
            return problem;
        var p = period!;
        var now = await CountAsync(db, workspaceId, p, ct);
        var before = await CountAsync(db, workspaceId, p.Previous, ct);
        var causes = now.Keys.Union(before.Keys)
            .Select(key =>
            {
                var (findings, impact) = now.GetValueOrDefault(key);
                var (previousFindings, previousImpact) = before.GetValueOrDefault(key);
                var trend = previousFindings == 0 ? Trend.New
                    : findings > previousFindings ? Trend.Up : findings < previousFindings ? Trend.Down : Trend.Flat;
                return new CauseMetric(key.CauseCode, key.Category, findings, impact, previousFindings, previousImpact, trend);
            })
            .OrderByDescending(c => c.Impact).ThenByDescending(c => c.Findings).ThenBy(c => c.CauseCode, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(new CauseMetrics(p.From, p.To, p.Previous.From, p.Previous.To, p.Zone.Id, causes));
    }

    static async Task<Dictionary<(string CauseCode, Category Category), (int Findings, decimal Impact)>> CountAsync(
        ReconcileDbContext db, Guid workspaceId, MetricsPeriod period, CancellationToken ct)
    {
        var (start, end) = (period.StartUtc, period.EndUtc);
        var groups = await db.Discrepancies.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && d.DetectedAt >= start && d.DetectedAt < end)
            .GroupBy(d => new { d.CauseCode, d.Category })
            .Select(g => new { g.Key.CauseCode, g.Key.Category, Count = g.Count(), Impact = g.Sum(d => d.Impact) })
            .ToListAsync(ct);
        return groups.ToDictionary(g => (g.CauseCode, g.Category), g => (g.Count, g.Impact));
    }
}
