using System.Text.Json.Serialization;

namespace ReconcileApi.Data;

// Persistence types. Money is decimal in code and a fixed-scale integer in the database (see
// ReconcileDbContext.ConfigureConventions); every DateTime is UTC.

public sealed class Workspace
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Timezone { get; set; }
    /// <summary>JSON array of the alert rules watched after every run of the workspace (Features/Alerts).</summary>
    public string AlertRules { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
}

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>SHA-256 of the whole key, hex. Keys are 256-bit random, so an unsalted hash is enough.</summary>
    public required string Hash { get; set; }
    /// <summary>The first characters of the key, to recognise it in listings.</summary>
    public required string Prefix { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>The current version of one order of one source; <see cref="Compact"/> is the order.</summary>
public sealed class StoredOrder
{
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public OrderSource Source { get; set; }
    public required string OrderId { get; set; }
    /// <summary>The order's date as an instant: what a run selects its window by (the rest is in <see cref="Compact"/>).</summary>
    public DateTime? OrderDate { get; set; }
    /// <summary>The order number as sent, and the customer's email in lower case: what the order list filters by.</summary>
    public string? OrderNumber { get; set; }
    public string? CustomerEmail { get; set; }
    public int Version { get; set; }
    /// <summary>
    /// What decides whether the order sent again changed: <see cref="Features.Orders.OrderCodec.Hash"/> of <see cref="Compact"/>,
    /// or for an order stored by earlier builds <see cref="Features.Orders.OrderJson.LegacyHash"/> (64 hex digits).
    /// </summary>
    public required string ContentHash { get; set; }
    /// <summary>
    /// Empty: the order is <see cref="Compact"/>. Orders stored by earlier builds keep their canonical JSON here (it was
    /// a third of each row, written and logged for every new order, and the binary form gives back the same order).
    /// </summary>
    public string Payload { get; set; } = "";
    /// <summary>
    /// The order in <see cref="Features.Orders.OrderCodec"/>'s binary form: what the order list, a run and the next ingest
    /// read. Null for orders stored before it existed (which have their <see cref="Payload"/>).
    /// </summary>
    public byte[]? Compact { get; set; }
    /// <summary>
    /// The hash of the JSON record this version was read from, as sent (<see cref="Features.Orders.SentRecord"/>), when it
    /// was read without a warning: the same bytes sent again are unchanged without being read. Null otherwise.
    /// </summary>
    public byte[]? SentHash { get; set; }
    public Guid BatchId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A version of an order that a later ingest replaced.</summary>
public sealed class OrderVersion
{
    public long Id { get; set; }
    public long StoredOrderId { get; set; }
    public int Version { get; set; }
    public required string Payload { get; set; }
    public Guid BatchId { get; set; }
    public DateTime RecordedAt { get; set; }
}

public sealed class Batch
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public OrderSource Source { get; set; }
    public required string Format { get; set; }
    public int Received { get; set; }
    public int Inserted { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Rejected { get; set; }
    /// <summary>Records the format says are not orders to reconcile (Shopify test orders).</summary>
    public int Skipped { get; set; }
    /// <summary>Records whose order id came again later in the batch: the last one was kept.</summary>
    public int Repeated { get; set; }
    /// <summary>JSON array of the receipt's errors.</summary>
    public required string Errors { get; set; }
    /// <summary>JSON array of the receipt's warnings: stored orders with a field left out, repeats.</summary>
    public required string Warnings { get; set; }
    /// <summary>JSON array of the rejected raw records, so nothing the caller sent vanishes.</summary>
    public required string RejectedRecords { get; set; }
    public DateTime CreatedAt { get; set; }
}

[JsonConverter(typeof(SnakeCaseEnumConverter<RunStatus>))]
public enum RunStatus { Queued, Running, Succeeded, Failed, Cancelled }

[JsonConverter(typeof(SnakeCaseEnumConverter<RunPhase>))]
public enum RunPhase { Loading, Matching, Saving, Done }

public sealed class Run
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public RunStatus Status { get; set; }
    public DateTime From { get; set; }
    public DateTime To { get; set; }
    public string? Label { get; set; }
    public string? CallbackUrl { get; set; }
    /// <summary>The schedule that started the run, and the occurrence it ran for (null when triggered by hand).</summary>
    public Guid? ScheduleId { get; set; }
    public DateTime? ScheduledFor { get; set; }
    /// <summary>When alerts and webhook events for the finished run were raised; null while that is still to do.</summary>
    public DateTime? NotifiedAt { get; set; }
    public int SettingsVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int StoreOrders { get; set; }
    public int KeapOrders { get; set; }
    public int Matched { get; set; }
    public int Pending { get; set; }
    public int Discrepancies { get; set; }
    /// <summary>JSON object: category → count.</summary>
    public string? ByCategory { get; set; }
    public decimal Impact { get; set; }
    public int NewDiscrepancies { get; set; }
    /// <summary>Resolved (or ignored, with changed values) discrepancies this run found again.</summary>
    public int ReopenedDiscrepancies { get; set; }
    public int PersistingDiscrepancies { get; set; }
    public int AutoResolved { get; set; }
    /// <summary>JSON object: severity → count.</summary>
    public string? BySeverity { get; set; }
    /// <summary>Orders and revenue of each side whose date falls in the window.</summary>
    public int StoreOrdersInWindow { get; set; }
    public int KeapOrdersInWindow { get; set; }
    public decimal StoreRevenue { get; set; }
    public decimal KeapRevenue { get; set; }
    /// <summary>The engine's match rate: matched store orders of those that should be in Keap.</summary>
    public decimal? MatchRate { get; set; }
    /// <summary>The instant the run looked from (the earlier of <see cref="To"/> and its start).</summary>
    public DateTime? Cutoff { get; set; }
    /// <summary>Unpaired orders dated after this were pending, not missing.</summary>
    public DateTime? PendingAfter { get; set; }
    /// <summary>Unpaired orders the other side is not expected to have: never-paid store orders, Keap drafts.</summary>
    public int NotExpectedInKeap { get; set; }
    public int NotExpectedInStore { get; set; }
    /// <summary>JSON object: side → the engine's sync lag.</summary>
    public string? SyncLag { get; set; }
    public RunPhase? Phase { get; set; }
    public int Processed { get; set; }
    public int Total { get; set; }
    public string? Error { get; set; }
}

/// <summary>A recurring run of a workspace: a Hangfire recurring job keyed by <see cref="Id"/> (Features/Schedules).</summary>
public sealed class Schedule
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Name { get; set; }
    /// <summary>Five-field cron, read in <see cref="Timezone"/>.</summary>
    public required string Cron { get; set; }
    public required string Timezone { get; set; }
    /// <summary>Each run covers the days before its occurrence.</summary>
    public int WindowDays { get; set; }
    public bool Enabled { get; set; }
    /// <summary>JSON array of the schedule's alert rules.</summary>
    public required string Alerts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A rule's condition that held: open until the condition clears (<see cref="ClearedAt"/>), so a condition that holds
/// across many runs is one alert. <see cref="ConditionKey"/> names the rule and where it is from (workspace or schedule).
/// </summary>
public sealed class Alert
{
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid? ScheduleId { get; set; }
    /// <summary>The run whose result raised it (null when raised at ingest: <c>side_silent</c>).</summary>
    public Guid? RunId { get; set; }
    public required string Rule { get; set; }
    public required string ConditionKey { get; set; }
    public required string Message { get; set; }
    public decimal? Value { get; set; }
    public decimal? Threshold { get; set; }
    public DateTime TriggeredAt { get; set; }
    public DateTime? ClearedAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
}

/// <summary>One local day of a run's window as the run counted it (the engine's <c>DayCounts</c>), for GET /metrics/daily.</summary>
public sealed class RunDay
{
    public Guid RunId { get; set; }
    public DateOnly Date { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>The window covered the whole day (a later partial count does not replace a whole one).</summary>
    public bool Complete { get; set; }
    public int StoreOrders { get; set; }
    public int KeapOrders { get; set; }
    public decimal StoreRevenue { get; set; }
    public decimal KeapRevenue { get; set; }
    public int Matched { get; set; }
    public int MissingInKeap { get; set; }
}

/// <summary>An order a run counted as pending (too young at its cut-off to call missing).</summary>
public sealed class RunPendingOrder
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public OrderSource Source { get; set; }
    public required string OrderId { get; set; }
    public string? OrderKey { get; set; }
    public DateTime OrderDate { get; set; }
}

[JsonConverter(typeof(SnakeCaseEnumConverter<DiscrepancyState>))]
public enum DiscrepancyState { Open, Acknowledged, Resolved, Ignored }

/// <summary>
/// What a history entry records (wire and column values snake_case: <c>values_changed</c>). A run that finds a
/// discrepancy again as it was records nothing here (its <c>occurrences</c> and <c>lastSeenRunId</c> say so);
/// <see cref="SeenAgain"/> is only in histories written before that rule.
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<DiscrepancyEventKind>))]
public enum DiscrepancyEventKind { Created, SeenAgain, Reopened, StateChanged, ValuesChanged }

/// <summary>
/// How a discrepancy was resolved, acknowledged, ignored or reopened: the actions a person sends, and
/// <see cref="VerifiedFixed"/>, which only a run records (wire and column values snake_case).
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<ResolutionAction>))]
public enum ResolutionAction
{
    Acknowledge,
    Resynced,
    CreatedInKeap,
    UpdatedInKeap,
    UpdatedInStore,
    AcceptedDifference,
    FalsePositive,
    Reopen,
    VerifiedFixed,
}

public sealed class Discrepancy
{
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>Category + order key (+ the duplicate record): stable across runs.</summary>
    public required string IdentityKey { get; set; }
    public Category Category { get; set; }
    public Severity Severity { get; set; }
    /// <summary><see cref="Severity"/> as a number (critical = 0) so that SQL can sort by it.</summary>
    public int SeverityRank { get; set; }
    public DiscrepancyState State { get; set; }
    public required string OrderKey { get; set; }
    public string? StoreOrderId { get; set; }
    public string? KeapOrderId { get; set; }
    public string? DuplicateOrderId { get; set; }
    public string? CustomerEmail { get; set; }
    public DateTime? OrderDate { get; set; }
    public string? Field { get; set; }
    public string? StoreValue { get; set; }
    public string? KeapValue { get; set; }
    public decimal? Difference { get; set; }
    public decimal Impact { get; set; }
    public string? Currency { get; set; }
    public required string CauseCode { get; set; }
    public required string CauseExplanation { get; set; }
    /// <summary>JSON of the suggested action.</summary>
    public required string SuggestedAction { get; set; }
    /// <summary>JSON array of line differences.</summary>
    public required string LineDifferences { get; set; }
    /// <summary>What the last finding wrote into the fields above, hashed (<see cref="Features.Discrepancies.FindingSignature"/>); null before issue #13.</summary>
    public byte[]? Signature { get; set; }
    public Guid FirstSeenRunId { get; set; }
    public Guid LastSeenRunId { get; set; }
    public int Occurrences { get; set; }
    public DateTime DetectedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public ResolutionAction? ResolutionAction { get; set; }
    public string? ResolutionNote { get; set; }
    public string? ResolvedBy { get; set; }
    public DateTime? ResolvedAt { get; set; }
    /// <summary>Bumped on every change; the ETag and the optimistic concurrency token.</summary>
    public int Version { get; set; }
}

/// <summary>
/// Which discrepancies a run reopened or changed (a discrepancy lives across runs). What a run created names it in
/// <see cref="Discrepancy.FirstSeenRunId"/> and has no link (runs before issue #13 wrote one too).
/// </summary>
public sealed class RunDiscrepancy
{
    public Guid RunId { get; set; }
    public long DiscrepancyId { get; set; }
}

/// <summary>Append-only history of a discrepancy. No endpoint edits or deletes these rows.</summary>
public sealed class DiscrepancyEvent
{
    public long Id { get; set; }
    public long DiscrepancyId { get; set; }
    public DiscrepancyEventKind Kind { get; set; }
    public DateTime At { get; set; }
    public string? Actor { get; set; }
    public DiscrepancyState? FromState { get; set; }
    public DiscrepancyState ToState { get; set; }
    public ResolutionAction? Action { get; set; }
    public string? Note { get; set; }
    public Guid? RunId { get; set; }
    /// <summary>JSON snapshot of the discrepancy's values at that time.</summary>
    public string? Values { get; set; }
}

/// <summary>One version of a workspace's reconciliation settings (JSON of ReconcileSettings).</summary>
public sealed class SettingsVersion
{
    public Guid WorkspaceId { get; set; }
    public int Version { get; set; }
    public required string Json { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A POST/PUT seen with an Idempotency-Key: in flight while <see cref="StatusCode"/> is null, then its answer for replays.</summary>
public sealed class IdempotencyRecord
{
    public Guid WorkspaceId { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of method, path and body: the same key with another request is 422.</summary>
    public required string RequestHash { get; set; }
    public int? StatusCode { get; set; }
    public string? ResponseBody { get; set; }
    public string? Location { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Where a webhook delivery stands: <see cref="Pending"/> until an attempt succeeds or the retry schedule runs out.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<WebhookDeliveryStatus>))]
public enum WebhookDeliveryStatus { Pending, Succeeded, Failed }

/// <summary>A workspace's webhook endpoint and the event types it receives.</summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Url { get; set; }
    /// <summary>The subscribed event types, comma-separated (<c>run.succeeded,alert.triggered</c>).</summary>
    public required string Events { get; set; }
    /// <summary>
    /// The signing secret as shown once (<c>whsec_</c> + base64). Stored as it is, not hashed: every delivery is
    /// signed with it (an HMAC key must be known to the signer).
    /// </summary>
    public required string Secret { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One message to one target: a subscription's, or a run's <c>callbackUrl</c> (no subscription, unsigned).</summary>
public sealed class WebhookDelivery
{
    /// <summary>Guid v7; the Standard Webhooks message id is <c>msg_</c> + this in hex (<c>webhook-id</c>), the same on every attempt.</summary>
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>Null for a run's callbackUrl.</summary>
    public Guid? SubscriptionId { get; set; }
    public required string Url { get; set; }
    public required string EventType { get; set; }
    /// <summary>The exact JSON body sent on every attempt (the signature covers these bytes).</summary>
    public required string Payload { get; set; }
    public DateTime CreatedAt { get; set; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>When the next attempt is due; null while one is in flight and once the delivery is settled.</summary>
    public DateTime? NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
}

/// <summary>One HTTP attempt of a delivery, kept for the deliveries log.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTime AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    public int DurationMs { get; set; }
    /// <summary>The start of the response body (at most 1 KB).</summary>
    public string? Response { get; set; }
    public string? Error { get; set; }
}
