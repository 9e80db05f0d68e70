namespace ReconcileApi.Features.Webhooks;

/// <summary>The event types a subscription may name (DESIGN.md, "Monitoring").</summary>
public static class WebhookEventTypes
{
    public const string RunSucceeded = "run.succeeded";
    public const string RunFailed = "run.failed";
    public const string AlertTriggered = "alert.triggered";
    public const string DiscrepancyCreated = "discrepancy.created";

    public static readonly string[] All = [RunSucceeded, RunFailed, AlertTriggered, DiscrepancyCreated];

    public static string[] Split(string stored) => stored.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A subscription; its secret is shown only in the answer that created it.</summary>
public sealed record WebhookResponse(Guid Id, string Url, string[] Events, DateTime CreatedAt)
{
    public static WebhookResponse Of(WebhookSubscription s) => new(s.Id, s.Url, WebhookEventTypes.Split(s.Events), s.CreatedAt);
}

/// <summary>The new subscription with its signing secret — shown this once; keep it to verify <c>webhook-signature</c>.</summary>
public sealed record WebhookCreated(Guid Id, string Url, string[] Events, string Secret, DateTime CreatedAt);

/// <summary>One message to the subscription: <c>messageId</c> is its <c>webhook-id</c>, <c>payload</c> the exact body sent.</summary>
public sealed record WebhookDeliveryResponse(
    Guid Id, string MessageId, string EventType, WebhookDeliveryStatus Status, int Attempts, DateTime CreatedAt, DateTime? NextAttemptAt,
    int? LastStatusCode, string? LastError, JsonElement Payload, IReadOnlyList<WebhookAttemptResponse> AttemptLog);

/// <summary>One HTTP attempt: the status code (none when no answer came), how long it took, the start of the answer (1 KB), or why it failed.</summary>
public sealed record WebhookAttemptResponse(long Id, DateTime AttemptedAt, int? StatusCode, int DurationMs, string? Response, string? Error);

/// <summary>A subscription's deliveries, newest first; <c>nextCursor</c> reads the next page (null on the last).</summary>
public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryResponse> Items, string? NextCursor);
