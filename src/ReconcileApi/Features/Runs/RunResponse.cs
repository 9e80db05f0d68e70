namespace ReconcileApi.Features.Runs;

/// <summary>
/// The orders and revenue of each side whose date falls in the run's window, and the match rate: the
/// share of the store orders that should be in Keap (matched or missing; not pending, not never-paid)
/// that found their Keap record. All as the engine counted them.
/// </summary>
public sealed record RunWindowSummary(int StoreOrders, int KeapOrders, decimal StoreRevenue, decimal KeapRevenue, decimal? MatchRate);

/// <summary>
/// How far each side's newest order trails: behind the other side's newest (<c>behindHours</c>) and behind
/// the run's cut-off (<c>behindCutoffHours</c>). A side whose sync died shows here as hours, not as pending orders.
/// </summary>
public sealed record RunSyncLag(SyncLag Store, SyncLag Keap);

public sealed record RunProgress(RunPhase? Phase, int Processed, int Total);

public sealed record RunResponse(
    Guid Id,
    RunStatus Status,
    DateTime From,
    DateTime To,
    string? Label,
    string? CallbackUrl,
    Guid? ScheduleId,
    int SettingsVersion,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    int StoreOrders,
    int KeapOrders,
    int Matched,
    int Pending,
    int Discrepancies,
    IReadOnlyDictionary<string, int> ByCategory,
    IReadOnlyDictionary<string, int> BySeverity,
    decimal Impact,
    RunWindowSummary Window,
    DateTime? Cutoff,
    DateTime? PendingAfter,
    int NotExpectedInKeap,
    int NotExpectedInStore,
    RunSyncLag? SyncLag,
    int NewDiscrepancies,
    int ReopenedDiscrepancies,
    int PersistingDiscrepancies,
    int AutoResolved,
    RunProgress Progress,
    string? Error)
{
    /// <summary>What the run found, in a sentence a person can read (also for a Zap's or scenario's notification).</summary>
    public string Summary => RunSummary.Of(this);

    public static RunResponse Of(Run r) => new(
        r.Id, r.Status, r.From, r.To, r.Label, r.CallbackUrl, r.ScheduleId, r.SettingsVersion, r.CreatedAt, r.StartedAt, r.FinishedAt,
        r.StoreOrders, r.KeapOrders, r.Matched, r.Pending, r.Discrepancies,
        Counts(r.ByCategory),
        Counts(r.BySeverity),
        r.Impact,
        new RunWindowSummary(r.StoreOrdersInWindow, r.KeapOrdersInWindow, r.StoreRevenue, r.KeapRevenue, r.MatchRate),
        r.Cutoff, r.PendingAfter, r.NotExpectedInKeap, r.NotExpectedInStore,
        r.SyncLag is null ? null : JsonSerializer.Deserialize<RunSyncLag>(r.SyncLag, StoredJson.Options),
        r.NewDiscrepancies, r.ReopenedDiscrepancies, r.PersistingDiscrepancies, r.AutoResolved,
        new RunProgress(r.Phase, r.Processed, r.Total), r.Error);

    static Dictionary<string, int> Counts(string? json) =>
        json is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(json)!;
}
