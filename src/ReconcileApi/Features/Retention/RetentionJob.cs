using Microsoft.Extensions.Options;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Retention;

/// <summary>
/// What would otherwise grow without bound, purged once a day (<c>Retention:Cron</c>): idempotency records past
/// <c>Retention:IdempotencyHours</c>, versions of orders a later ingest replaced (after <c>Retention:OrderVersionDays</c>),
/// a batch's raw payload — the rejected records as sent (after <c>Retention:BatchPayloadDays</c>; the receipt itself,
/// counts, errors and warnings, stays), and finished webhook deliveries with their attempts (after
/// <c>Retention:WebhookDeliveryDays</c>; pending ones stay). Each purge is one set-based delete or update.
/// </summary>
public sealed class RetentionJob(ReconcileDbContext db, IOptions<ServiceOptions> options, TimeProvider clock, ILogger<RetentionJob> logger)
{
    public const string RecurringJobId = "retention";

    [Hangfire.JobDisplayName("Retention purge")]
    public async Task<RetentionResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var retention = options.Value.Retention;
        var keysBefore = now.AddHours(-retention.IdempotencyHours);
        var versionsBefore = now.AddDays(-retention.OrderVersionDays);
        var rejectedBefore = now.AddDays(-retention.BatchPayloadDays);
        var deliveriesBefore = now.AddDays(-retention.WebhookDeliveryDays);
        var result = new RetentionResult(
            await db.IdempotencyRecords.Where(r => r.CreatedAt < keysBefore).ExecuteDeleteAsync(ct),
            await db.OrderVersions.Where(v => v.RecordedAt < versionsBefore).ExecuteDeleteAsync(ct),
            await db.Batches.Where(b => b.CreatedAt < rejectedBefore && b.RejectedRecords != "[]")
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.RejectedRecords, "[]"), ct),
            // Attempts go with their delivery (cascade).
            await db.WebhookDeliveries.Where(d => d.CreatedAt < deliveriesBefore && d.Status != WebhookDeliveryStatus.Pending).ExecuteDeleteAsync(ct));
        logger.LogInformation("Retention: {Keys} expired idempotency records, {Versions} replaced order versions, rejected records of {Batches} batches, {Deliveries} webhook deliveries purged",
            result.IdempotencyRecords, result.OrderVersions, result.BatchesWithRejectedRecords, result.WebhookDeliveries);
        return result;
    }
}

public sealed record RetentionResult(int IdempotencyRecords, int OrderVersions, int BatchesWithRejectedRecords, int WebhookDeliveries);
