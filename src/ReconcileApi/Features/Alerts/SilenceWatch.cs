using System.Collections.Concurrent;
using Hangfire;
using ReconcileApi.Features.Runs;
using ReconcileApi.Features.Webhooks;

namespace ReconcileApi.Features.Alerts;

/// <summary>
/// <c>side_silent</c> is checked after ingests, not only after runs, so a dead sync raises its alert with no schedule at all.
/// The check runs as a job after the request (ingest stays fast), and ingests coalesce: while a workspace's check waits to
/// start, later ingests add none — the waiting check will see their orders. With several processes on one SQL Server the
/// check may start in another process, so a wait is trusted for <see cref="Coalesce"/> only, then a new check is enqueued.
/// </summary>
public sealed class SilenceWatch(IBackgroundJobClient jobs, TimeProvider clock)
{
    public static readonly TimeSpan Coalesce = TimeSpan.FromSeconds(10);
    readonly ConcurrentDictionary<Guid, DateTimeOffset> waiting = new();

    public void OrdersStored(Guid workspaceId)
    {
        var now = clock.GetUtcNow();
        var since = waiting.GetOrAdd(workspaceId, now);
        if (since != now && now - since < Coalesce)
            return;
        waiting[workspaceId] = now;
        jobs.Enqueue<SilenceCheckJob>(job => job.RunAsync(workspaceId, CancellationToken.None));
    }

    public void Starting(Guid workspaceId) => waiting.TryRemove(workspaceId, out _);
}

/// <summary>
/// Opens or clears the workspace's <c>side_silent</c> alerts and announces those it opened, in one transaction: an alert
/// opened by an attempt whose announcement then failed was found open by the retry, which announced nothing — the dead-sync
/// alert never reached the webhook.
/// </summary>
public sealed class SilenceCheckJob(SilenceWatch watch, ReconcileDbContext db, AlertEvaluator alerts, RunNotifications notifications, WebhookEvents webhooks)
{
    [JobDisplayName("Check side_silent rules (workspace {0})")]
    public async Task RunAsync(Guid workspaceId, CancellationToken ct)
    {
        watch.Starting(workspaceId);
        var deliveries = new List<Guid>();
        await db.InTransactionAsync(async ct =>
        {
            deliveries.Clear();
            await notifications.AnnounceAsync(workspaceId, await alerts.AfterIngestAsync(workspaceId, ct), deliveries, ct);
        }, ct);
        webhooks.Enqueue(deliveries);
    }
}
