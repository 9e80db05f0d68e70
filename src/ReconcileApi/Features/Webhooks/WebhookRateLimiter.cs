using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Features.Webhooks;

/// <summary>
/// At most <c>Webhooks:PerTargetPerMinute</c> attempts a minute to one host from this process, so a burst of events
/// (or a backlog after an outage) does not flood a receiver; a delivery over the limit waits without counting an attempt.
/// </summary>
public sealed class WebhookRateLimiter(IOptions<ServiceOptions> options) : IDisposable
{
    readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(host =>
        RateLimitPartition.GetFixedWindowLimiter(host, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.Webhooks.PerTargetPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when the attempt may go now; otherwise how long to wait before looking again.</summary>
    public TimeSpan? WaitFor(string host)
    {
        using var lease = limiter.AttemptAcquire(host.ToLowerInvariant());
        if (lease.IsAcquired)
            return null;
        var after = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(5);
        // Spread the waiting deliveries over a second so they do not all come back at the same instant.
        return after + TimeSpan.FromMilliseconds(Random.Shared.Next(1000));
    }

    public void Dispose() => limiter.Dispose();
}
