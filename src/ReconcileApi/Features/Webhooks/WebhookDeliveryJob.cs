using Hangfire;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Features.Webhooks;

/// <summary>
/// Makes attempt number <c>attempt</c> of one delivery. Safe to run twice: it claims the attempt with a conditional
/// update (the delivery still pending with <c>attempt - 1</c> attempts), so a duplicate, a redelivery and a scheduled
/// retry of the same number make one attempt between them. A delivery whose row does not exist (its publisher's
/// transaction rolled back, its subscription deleted) is left alone. A failed attempt schedules the next one after
/// the wait <c>Webhooks:RetrySchedule</c> gives for it; after the last, the delivery is <c>failed</c>. An attempt over the
/// limits of <see cref="WebhookRateLimiter"/> (its workspace's share of the workers, its host's attempts a minute) is
/// scheduled again for later without counting.
/// </summary>
public sealed class WebhookDeliveryJob(
    ReconcileDbContext db, WebhookSender sender, WebhookRateLimiter limiter, WebhookDeliveryQueue queue,
    IOptions<ServiceOptions> options, TimeProvider clock, ILogger<WebhookDeliveryJob> logger)
{
    /// <summary>How long a claimed attempt may take before the overdue sweep takes it for lost (a worker that died).</summary>
    public static readonly TimeSpan InFlight = TimeSpan.FromMinutes(1);

    [AutomaticRetry(Attempts = 0)]
    [Queue(WebhookDeliveryQueue.Name)]
    [JobDisplayName("Webhook delivery {0}, attempt {1}")]
    public async Task DeliverAsync(Guid deliveryId, int attempt, CancellationToken cancellationToken)
    {
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null || delivery.Status != WebhookDeliveryStatus.Pending || delivery.Attempts != attempt - 1)
            return;
        byte[]? key = null;
        if (delivery.SubscriptionId is { } subscriptionId)
        {
            var secret = await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId).Select(s => s.Secret).SingleOrDefaultAsync(cancellationToken);
            if (secret is null)
                return;
            key = WebhookSecrets.KeyOf(secret);
        }
        // Held until the attempt is logged: the workspace's share of the workers (its slow targets wait for it, others do not).
        using var turn = limiter.TryEnter(delivery.WorkspaceId);
        if ((turn is null ? WebhookRateLimiter.Busy() : limiter.WaitFor(delivery.WorkspaceId, new Uri(delivery.Url).IdnHost)) is { } wait)
        {
            // The log says when it goes, and the overdue sweep does not take the wait for a lost job.
            var due = clock.GetUtcNow().UtcDateTime + wait;
            await db.WebhookDeliveries
                .Where(d => d.Id == deliveryId && d.Status == WebhookDeliveryStatus.Pending && d.Attempts == attempt - 1)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, due), cancellationToken);
            queue.Schedule(deliveryId, attempt, wait);
            return;
        }

        var claimedAt = clock.GetUtcNow().UtcDateTime;
        var claimed = await db.WebhookDeliveries
            .Where(d => d.Id == deliveryId && d.Status == WebhookDeliveryStatus.Pending && d.Attempts == attempt - 1)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Attempts, attempt).SetProperty(d => d.NextAttemptAt, claimedAt + InFlight), cancellationToken);
        if (claimed == 0)
            return;

        var result = await sender.SendAsync(delivery, key, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var delays = options.Value.Webhooks.RetryDelays() ?? [];
        TimeSpan? retryAfter = !result.Succeeded && attempt - 1 < delays.Count ? delays[attempt - 1] : null;
        var status = result.Succeeded ? WebhookDeliveryStatus.Succeeded : retryAfter is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending;
        // The attempt and the status it leads to in one transaction: written one after the other, a reader between them saw
        // the 200 in the log of a delivery still pending (the suite's redelivery test did, under load), and a crash between
        // them left a logged success that the overdue sweep sent again.
        try
        {
            await db.InTransactionAsync(async ct =>
            {
                db.WebhookAttempts.Add(new WebhookAttempt
                {
                    DeliveryId = deliveryId,
                    AttemptedAt = claimedAt,
                    StatusCode = result.StatusCode,
                    DurationMs = result.DurationMs,
                    Response = result.Response,
                    Error = Truncate(result.Error),
                });
                await db.SaveChangesAsync(ct);
                await db.WebhookDeliveries
                    .Where(d => d.Id == deliveryId && d.Attempts == attempt)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(d => d.Status, status)
                        .SetProperty(d => d.NextAttemptAt, now + retryAfter)
                        .SetProperty(d => d.LastStatusCode, result.StatusCode)
                        .SetProperty(d => d.LastError, Truncate(result.Error)), ct);
            }, CancellationToken.None);
        }
        catch (DbUpdateException)
        {
            // Its webhook was deleted while the request was out, and the delivery's log with it: nothing is left to record or retry.
            if (await db.WebhookDeliveries.AnyAsync(d => d.Id == deliveryId, CancellationToken.None))
                throw;
            logger.LogInformation("Webhook delivery {DeliveryId}: its webhook was deleted during attempt {Attempt}; the attempt is not logged", deliveryId, attempt);
            return;
        }
        if (retryAfter is { } delay)
            queue.Schedule(deliveryId, attempt + 1, delay);
        else if (!result.Succeeded)
            logger.LogWarning("Webhook delivery {DeliveryId} failed after {Attempts} attempts: {Error}", deliveryId, attempt, result.Error);
    }

    static string? Truncate(string? error) => error is null ? null : TextRules.Cut(error, 1000);
}
