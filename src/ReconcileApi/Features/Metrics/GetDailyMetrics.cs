namespace ReconcileApi.Features.Metrics;

public sealed record MetricsTotals(
    int StoreOrders, int KeapOrders, decimal StoreRevenue, decimal KeapRevenue, int Matched, int MissingInKeap, decimal? MatchRate,
    int Found, int Resolved, decimal Impact);

/// <summary>What is open now (whatever day it was found): the dashboard's "money at stake".</summary>
public sealed record OpenDiscrepancies(int Total, decimal Impact, IReadOnlyDictionary<string, int> ByCategory, IReadOnlyDictionary<string, int> BySeverity);

/// <summary>
/// One day: orders, revenue, matched and missing as the latest run over that day counted them (<c>runId</c>; null and zeros
/// when no run covered it), and the discrepancies first found, and resolved, that day.
/// </summary>
public sealed record DailyMetric(
    DateOnly Date, Guid? RunId, int StoreOrders, int KeapOrders, decimal StoreRevenue, decimal KeapRevenue, int Matched, int MissingInKeap,
    decimal? MatchRate, int Found, IReadOnlyDictionary<string, int> FoundByCategory, IReadOnlyDictionary<string, int> FoundBySeverity,
    decimal Impact, int Resolved, double? MedianHoursToResolve);

public sealed record DailyMetrics(DateOnly From, DateOnly To, string Timezone, MetricsTotals Totals, OpenDiscrepancies Open, IReadOnlyList<DailyMetric> Days);

/// <summary>GET /api/v1/metrics/daily — the match rate and findings day by day.</summary>
public static class GetDailyMetrics
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/metrics/daily", Handle)
        .WithName(nameof(GetDailyMetrics))
        .WithSummary("Per day: orders and revenue per side, matched and match rate, discrepancies found and resolved, impact, median time to resolve")
        .WithDayParameters("from", "to")
        .WithDescription("`from` and `to` are days (yyyy-MM-dd) in the workspace's timezone, both included; the default is the last 30 days, at most 366. " +
            "Order counts, matched and the match rate of a day are those of the latest run whose window covered it (a whole day preferred over part of one), " +
            "so they add up with that run's own summary; `found` counts the discrepancies first detected that day (a run's newDiscrepancies), `resolved` those resolved that day.")
        .ProducesValidationProblem()
        .WithExamples(response: Examples.DailyMetrics);

    public static async Task<Results<Ok<DailyMetrics>, ValidationProblem>> Handle(
        ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null)
    {
        var workspaceId = user.WorkspaceId();
        var (period, problem) = await MetricsPeriod.ReadAsync(from, to, workspaceId, db, clock, ct);
        if (problem is not null)
            return problem;
        var p = period!;
        var (start, end) = (p.StartUtc, p.EndUtc);

        // Each day from the latest succeeded run that counted it, a whole day before a part of one.
        var counted = await db.RunDays.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && d.Date >= p.From && d.Date <= p.To)
            .Join(db.Runs.Where(r => r.Status == RunStatus.Succeeded), d => d.RunId, r => r.Id, (d, r) => new { Day = d, r.CreatedAt })
            .ToListAsync(ct);
        var byDay = counted.GroupBy(c => c.Day.Date)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.Day.Complete).ThenByDescending(c => c.CreatedAt).First().Day);

        var found = await db.Discrepancies.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && d.DetectedAt >= start && d.DetectedAt < end)
            .Select(d => new { d.DetectedAt, d.Category, d.Severity, d.Impact })
            .ToListAsync(ct);
        var resolved = await db.Discrepancies.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && d.ResolvedAt >= start && d.ResolvedAt < end)
            .Select(d => new { ResolvedAt = d.ResolvedAt!.Value, d.DetectedAt })
            .ToListAsync(ct);
        var foundByDay = found.ToLookup(f => p.DayOf(f.DetectedAt));
        var resolvedByDay = resolved.ToLookup(r => p.DayOf(r.ResolvedAt));

        var days = new List<DailyMetric>(p.Days);
        for (var day = p.From; day <= p.To; day = day.AddDays(1))
        {
            var run = byDay.GetValueOrDefault(day);
            var f = foundByDay[day].ToList();
            var hours = resolvedByDay[day].Select(r => (r.ResolvedAt - r.DetectedAt).TotalHours).Order().ToList();
            days.Add(new DailyMetric(day, run?.RunId, run?.StoreOrders ?? 0, run?.KeapOrders ?? 0, run?.StoreRevenue ?? 0, run?.KeapRevenue ?? 0,
                run?.Matched ?? 0, run?.MissingInKeap ?? 0, Rate(run?.Matched ?? 0, run?.MissingInKeap ?? 0),
                f.Count, Count(f.Select(x => WireEnum.Name(x.Category))), Count(f.Select(x => WireEnum.Name(x.Severity))),
                f.Sum(x => x.Impact), hours.Count, Median(hours)));
        }
        var (matched, missing) = (days.Sum(d => d.Matched), days.Sum(d => d.MissingInKeap));
        var totals = new MetricsTotals(days.Sum(d => d.StoreOrders), days.Sum(d => d.KeapOrders), days.Sum(d => d.StoreRevenue), days.Sum(d => d.KeapRevenue),
            matched, missing, Rate(matched, missing), days.Sum(d => d.Found), days.Sum(d => d.Resolved), days.Sum(d => d.Impact));
        return TypedResults.Ok(new DailyMetrics(p.From, p.To, p.Zone.Id, totals, await OpenAsync(db, workspaceId, ct), days));
    }

    static async Task<OpenDiscrepancies> OpenAsync(ReconcileDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var groups = await db.Discrepancies.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && (d.State == DiscrepancyState.Open || d.State == DiscrepancyState.Acknowledged))
            .GroupBy(d => new { d.Category, d.Severity })
            .Select(g => new { g.Key.Category, g.Key.Severity, Count = g.Count(), Impact = g.Sum(d => d.Impact) })
            .ToListAsync(ct);
        return new OpenDiscrepancies(groups.Sum(g => g.Count), groups.Sum(g => g.Impact),
            groups.GroupBy(g => WireEnum.Name(g.Category)).OrderByDescending(g => g.Sum(x => x.Count)).ToDictionary(g => g.Key, g => g.Sum(x => x.Count)),
            groups.GroupBy(g => g.Severity).OrderBy(g => g.Key).ToDictionary(g => WireEnum.Name(g.Key), g => g.Sum(x => x.Count)));
    }

    public static decimal? Rate(int matched, int missing) => matched + missing == 0 ? null : Math.Round((decimal)matched / (matched + missing), 4);

    static Dictionary<string, int> Count(IEnumerable<string> keys) => keys.GroupBy(k => k).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    static double? Median(List<double> sorted) => sorted.Count == 0 ? null
        : Math.Round(sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2, 2);
}
