namespace ReconcileApi.Features.Webhooks;

/// <summary>
/// POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver — one more attempt of the same message now: the same
/// body and <c>webhook-id</c> (so a receiver that kept it drops the repeat), a fresh timestamp and signature.
/// </summary>
public static class RedeliverWebhook
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/webhooks/{id:guid}/deliveries/{deliveryId:guid}/redeliver", Handle)
        .WithName(nameof(RedeliverWebhook))
        .WithSummary("Send a delivery again now (same webhook-id and body, fresh timestamp and signature); 202, the attempt shows in the log")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: WebhookExamples.Delivery with { Status = WebhookDeliveryStatus.Pending, NextAttemptAt = WebhookExamples.At.AddHours(1) });

    public static async Task<Results<Accepted<WebhookDeliveryResponse>, ProblemHttpResult>> Handle(
        Guid id, Guid deliveryId, ClaimsPrincipal user, ReconcileDbContext db, WebhookDeliveryQueue queue, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var now = clock.GetUtcNow().UtcDateTime;
        // Pending again whatever it was; the job's claim on the attempt number keeps a retry already scheduled from sending twice.
        await db.WebhookDeliveries
            .Where(d => d.Id == deliveryId && d.SubscriptionId == id && d.WorkspaceId == workspaceId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Pending).SetProperty(d => d.NextAttemptAt, now), ct);
        var delivery = await db.WebhookDeliveries.AsNoTracking()
            .SingleOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == id && d.WorkspaceId == workspaceId, ct);
        if (delivery is null)
            return Problems.NotFound("Delivery", deliveryId);
        queue.Enqueue(delivery.Id, delivery.Attempts + 1);
        var shown = (await ListWebhookDeliveries.WithAttemptsAsync(db, [delivery], ct))[0];
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", shown);
    }
}
