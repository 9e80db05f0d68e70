using Hangfire;
using ReconcileApi.Features.Alerts;
using ReconcileApi.Features.Discrepancies;
using ReconcileApi.Features.Webhooks;

namespace ReconcileApi.Features.Runs;

/// <summary>What a webhook says about a run: flat fields a Make or Zapier step maps without parsing.</summary>
public sealed record RunEventData(
    Guid RunId, RunStatus Status, Guid? ScheduleId, string? Label, DateTime From, DateTime To, DateTime? FinishedAt,
    int StoreOrders, int KeapOrders, int Matched, decimal? MatchRate, int Pending, int Discrepancies, int NewDiscrepancies,
    int ReopenedDiscrepancies, int AutoResolved, decimal Impact, string? TopCategory, int TopCategoryCount,
    int Critical, int High, int Medium, int Low, string? Error, string RunUrl, string DiscrepanciesUrl);

/// <summary>One finding in a <c>discrepancy.created</c> event.</summary>
public sealed record DiscrepancyEventItem(
    long Id, Category Category, Severity Severity, string OrderKey, string? StoreOrderId, string? KeapOrderId, string? CustomerEmail,
    DateTime? OrderDate, string? Field, string? StoreValue, string? KeapValue, decimal Impact, string? Currency,
    string CauseCode, string CauseText, string ActionCode, string ActionSystem, bool Reopened, string Url);

/// <summary>The findings a run found for the first time (or again after they were resolved), the worst first, at most <see cref="RunNotifications.MaxItems"/>.</summary>
public sealed record DiscrepanciesCreatedData(
    Guid RunId, Guid? ScheduleId, int Count, int Included, bool Truncated, string DiscrepanciesUrl, IReadOnlyList<DiscrepancyEventItem> Items);

public sealed record AlertEventData(
    long AlertId, AlertRuleKind Rule, string Message, decimal? Value, decimal? Threshold, Guid? ScheduleId, Guid? RunId, DateTime TriggeredAt, string AlertsUrl);

/// <summary>
/// After a run ends: the alert rules are checked and the webhook events raised (<c>run.succeeded</c> or
/// <c>run.failed</c>, <c>discrepancy.created</c> when it found new findings, <c>alert.triggered</c> per alert it opened),
/// then the run is marked notified. Safe to repeat: an alert opens once per condition, and a run already notified is left alone.
/// </summary>
public sealed class RunNotifications(ReconcileDbContext db, AlertEvaluator alerts, WebhookEvents webhooks, TimeProvider clock, ILogger<RunNotifications> logger)
{
    public const int MaxItems = 100;

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Announce run {0}")]
    public async Task NotifyAsync(Guid runId, CancellationToken ct)
    {
        var deliveries = new List<Guid>();
        var announced = await db.InTransactionAsync(ct =>
        {
            deliveries.Clear();
            return AnnounceRunAsync(runId, deliveries, ct);
        }, ct);
        webhooks.Enqueue(deliveries);
        if (announced is var (events, alerts))
            logger.LogInformation("Run {RunId}: {Events} webhook event(s), {Alerts} alert(s) opened", runId, events, alerts);
    }

    /// <summary>
    /// The alerts and events of one announcement, in one transaction that first claims the run (notifiedAt set where it was
    /// null): two announcers of one run — a repeated run job and the announcement it enqueued, or the start-up pass — publish
    /// once between them, and an announcement that fails midway leaves nothing behind, so its retry neither sends
    /// <c>run.succeeded</c> again under a new webhook-id (a receiver cannot tell it is a repeat) nor loses the
    /// <c>alert.triggered</c> of an alert the failed attempt had opened. The deliveries are enqueued after the commit
    /// (<paramref name="deliveries"/>). Null when the run is not this call's to announce. Runs inside the caller's transaction.
    /// </summary>
    async Task<(int Events, int Alerts)?> AnnounceRunAsync(Guid runId, List<Guid> deliveries, CancellationToken ct)
    {
        var claimed = await db.Runs
            .Where(r => r.Id == runId && r.NotifiedAt == null && (r.Status == RunStatus.Succeeded || r.Status == RunStatus.Failed))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.NotifiedAt, clock.GetUtcNow().UtcDateTime), ct);
        if (claimed == 0)
            return null;
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
        var opened = await alerts.AfterRunAsync(run, ct);
        // The run's own callbackUrl hears how it ended; subscriptions hear what they subscribed to.
        await webhooks.PublishAsync(run.WorkspaceId, run.Status == RunStatus.Succeeded ? WebhookEventTypes.RunSucceeded : WebhookEventTypes.RunFailed,
            RunData(run), run.CallbackUrl, deliveries, ct);
        var events = 1;
        // The findings event reads the run's new findings: only when someone listens (a callbackUrl does not take it).
        if (run.NewDiscrepancies + run.ReopenedDiscrepancies > 0 && await webhooks.AnyListeningAsync(run.WorkspaceId, WebhookEventTypes.DiscrepancyCreated, ct))
        {
            await webhooks.PublishAsync(run.WorkspaceId, WebhookEventTypes.DiscrepancyCreated, await CreatedDataAsync(run, ct), null, deliveries, ct);
            events++;
        }
        await AnnounceAsync(run.WorkspaceId, opened, deliveries, ct);
        return (events + opened.Count, opened.Count);
    }

    /// <summary>
    /// The <c>alert.triggered</c> events of alerts just opened (by a run, or by <c>side_silent</c> at ingest), in the transaction
    /// that opened them: an alert is open only if its event is saved, so a retry after a failure opens and announces it again
    /// instead of finding it open and saying nothing. The deliveries' ids go to <paramref name="deliveries"/>, for after the commit.
    /// </summary>
    public async Task AnnounceAsync(Guid workspaceId, IReadOnlyList<Alert> opened, List<Guid> deliveries, CancellationToken ct)
    {
        foreach (var alert in opened)
            await webhooks.PublishAsync(workspaceId, WebhookEventTypes.AlertTriggered, AlertData(alert), null, deliveries, ct);
    }

    static RunEventData RunData(Run run)
    {
        var categories = JsonSerializer.Deserialize<Dictionary<string, int>>(run.ByCategory ?? "{}")!;
        var severities = JsonSerializer.Deserialize<Dictionary<string, int>>(run.BySeverity ?? "{}")!;
        var top = categories.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault();
        return new RunEventData(
            run.Id, run.Status, run.ScheduleId, run.Label, run.From, run.To, run.FinishedAt, run.StoreOrders, run.KeapOrders, run.Matched,
            run.MatchRate, run.Pending, run.Discrepancies, run.NewDiscrepancies, run.ReopenedDiscrepancies, run.AutoResolved, run.Impact,
            top.Key, top.Value, severities.GetValueOrDefault("critical"), severities.GetValueOrDefault("high"),
            severities.GetValueOrDefault("medium"), severities.GetValueOrDefault("low"), run.Error,
            $"/api/v1/runs/{run.Id}", $"/api/v1/runs/{run.Id}/discrepancies");
    }

    async Task<DiscrepanciesCreatedData> CreatedDataAsync(Run run, CancellationToken ct)
    {
        var reopened = db.DiscrepancyEvents.Where(e => e.RunId == run.Id && e.Kind == DiscrepancyEventKind.Reopened).Select(e => e.DiscrepancyId);
        var found = db.Discrepancies.AsNoTracking()
            .Where(d => d.WorkspaceId == run.WorkspaceId && (d.FirstSeenRunId == run.Id || reopened.Contains(d.Id)));
        var count = await found.CountAsync(ct);
        var rows = await found.OrderBy(d => d.SeverityRank).ThenByDescending(d => d.Impact).ThenBy(d => d.Id).Take(MaxItems).ToListAsync(ct);
        var items = rows.Select(d =>
        {
            var action = DiscrepancyResponse.ActionOf(d);
            return new DiscrepancyEventItem(d.Id, d.Category, d.Severity, d.OrderKey, d.StoreOrderId, d.KeapOrderId, d.CustomerEmail, d.OrderDate,
                d.Field, d.StoreValue, d.KeapValue, d.Impact, d.Currency, d.CauseCode, d.CauseExplanation, action.Code, action.System,
                d.FirstSeenRunId != run.Id, $"/api/v1/discrepancies/{d.Id}");
        }).ToList();
        return new DiscrepanciesCreatedData(run.Id, run.ScheduleId, count, items.Count, count > items.Count, $"/api/v1/runs/{run.Id}/discrepancies", items);
    }

    static AlertEventData AlertData(Alert a) =>
        new(a.Id, WireEnum.Parse<AlertRuleKind>(a.Rule), a.Message, a.Value, a.Threshold, a.ScheduleId, a.RunId, a.TriggeredAt, "/api/v1/alerts?status=open");
}
