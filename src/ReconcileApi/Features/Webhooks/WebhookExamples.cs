namespace ReconcileApi.Features.Webhooks;

/// <summary>The webhook operations' examples in the contract (the same story as <see cref="Examples"/>).</summary>
public static class WebhookExamples
{
    public static readonly DateTime At = new(2026, 10, 2, 6, 0, 5, DateTimeKind.Utc);
    static readonly Guid Id = new("0193f0d0-5a1b-7c2d-8e3f-405162738495");
    static readonly Guid DeliveryId = new("0193f0d1-0000-7abc-9def-0123456789ab");

    public static readonly WebhookResponse Webhook = new(Id, "https://hooks.example.com/reconcile",
        [WebhookEventTypes.RunFailed, WebhookEventTypes.AlertTriggered], At.AddDays(-1));

    public static readonly WebhookCreated Created = new(Webhook.Id, Webhook.Url, Webhook.Events,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7WWsaThkHfk=", Webhook.CreatedAt);

    public static readonly WebhookDeliveryResponse Delivery = new(
        DeliveryId, WebhookSecrets.MessageId(DeliveryId), WebhookEventTypes.RunFailed, WebhookDeliveryStatus.Succeeded, 2, At, null, 200, null,
        JsonSerializer.SerializeToElement(new { type = WebhookEventTypes.RunFailed, timestamp = At, data = new { runId = "0193f0c2-7d4e-7a10-9c55-3c1f0b6f2a11", error = "The run stopped on an unexpected error." } }),
        [
            new WebhookAttemptResponse(41, At, 503, 212, "Service Unavailable", "answered 503"),
            new WebhookAttemptResponse(42, At.AddSeconds(5), 200, 48, "ok", null),
        ]);
}
