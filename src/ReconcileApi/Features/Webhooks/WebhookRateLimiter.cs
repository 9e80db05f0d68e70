using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Features.Webhooks;

/// <summary>
/// Who may send now. At most <c>Webhooks:PerTargetPerMinute</c> attempts a minute of one workspace to one host from this
/// process, so a burst of events (or a backlog after an outage) does not flood a receiver — counted per workspace, since
/// one host serves many workspaces' receivers (every Zapier user's hooks are on hooks.zapier.com) and one workspace's
/// burst must not hold the others' deliveries back; and at most half the <c>webhooks</c> workers (at least one) busy with
/// one workspace's attempts at a time, so a workspace whose targets answer slowly or never (each attempt may take the 10 s
/// timeout) cannot hold every worker while other workspaces' deliveries wait behind it. A delivery over either limit waits
/// without counting an attempt; one waiting for its workspace's turn looks again after 5–10 s (a job that only reads its
/// row and moves its due time).
/// </summary>
public sealed class WebhookRateLimiter(IOptions<ServiceOptions> options) : IDisposable
{
    // A turn frees within the 10 s an attempt may take. Each look is a job that writes the delivery's due time: looking every
    // 2-3 s, 1,000 deliveries waiting would be ~400 writes a second competing with ingest and runs for SQLite's one writer.
    static readonly TimeSpan BusyWait = TimeSpan.FromSeconds(5);

    readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(target =>
        RateLimitPartition.GetFixedWindowLimiter(target, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.Webhooks.PerTargetPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    readonly PartitionedRateLimiter<Guid> inFlight = PartitionedRateLimiter.Create<Guid, Guid>(workspaceId =>
        RateLimitPartition.GetConcurrencyLimiter(workspaceId, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.Webhooks.WorkerCount / 2),
            QueueLimit = 0,
        }));

    /// <summary>A turn for one attempt of <paramref name="workspaceId"/>'s (dispose it when the attempt ends); null when its workspace has its share of workers busy.</summary>
    public IDisposable? TryEnter(Guid workspaceId)
    {
        var lease = inFlight.AttemptAcquire(workspaceId);
        if (lease.IsAcquired)
            return lease;
        lease.Dispose();
        return null;
    }

    /// <summary>How long to wait before looking again when <see cref="TryEnter"/> said no: 5 s, spread over a further 5 s.</summary>
    public static TimeSpan Busy() => BusyWait + TimeSpan.FromMilliseconds(Random.Shared.Next(5000));

    /// <summary>Null when <paramref name="workspaceId"/>'s attempt to <paramref name="host"/> may go now; otherwise how long to wait before looking again.</summary>
    public TimeSpan? WaitFor(Guid workspaceId, string host)
    {
        using var lease = limiter.AttemptAcquire($"{workspaceId:N} {host.ToLowerInvariant()}");
        if (lease.IsAcquired)
            return null;
        var after = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(5);
        // Spread the waiting deliveries over a second so they do not all come back at the same instant.
        return after + TimeSpan.FromMilliseconds(Random.Shared.Next(1000));
    }

    public void Dispose()
    {
        limiter.Dispose();
        inFlight.Dispose();
    }
}
