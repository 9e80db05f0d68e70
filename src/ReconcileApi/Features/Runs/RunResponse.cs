using System.Text.Json;
using ReconcileApi.Data;

namespace ReconcileApi.Features.Runs;

/// <summary>
/// The orders and revenue of each side whose date falls in the run's window, and the match rate: the
/// share of the store's orders in the window that found their Keap counterpart.
/// </summary>
public sealed record RunWindowSummary(int StoreOrders, int KeapOrders, decimal StoreRevenue, decimal KeapRevenue, decimal? MatchRate);

public sealed record RunProgress(RunPhase? Phase, int Processed, int Total);

public sealed record RunResponse(
    Guid Id,
    RunStatus Status,
    DateTime From,
    DateTime To,
    string? Label,
    string? CallbackUrl,
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
    int NewDiscrepancies,
    int PersistingDiscrepancies,
    int AutoResolved,
    RunProgress Progress,
    string? Error)
{
    public static RunResponse Of(Run r) => new(
        r.Id, r.Status, r.From, r.To, r.Label, r.CallbackUrl, r.SettingsVersion, r.CreatedAt, r.StartedAt, r.FinishedAt,
        r.StoreOrders, r.KeapOrders, r.Matched, r.Pending, r.Discrepancies,
        Counts(r.ByCategory),
        Counts(r.BySeverity),
        r.Impact,
        new RunWindowSummary(r.StoreOrdersInWindow, r.KeapOrdersInWindow, r.StoreRevenue, r.KeapRevenue,
            r.StoreOrdersInWindow == 0 ? null : Math.Round((decimal)Math.Min(r.Matched, r.StoreOrdersInWindow) / r.StoreOrdersInWindow, 4)), r.NewDiscrepancies, r.PersistingDiscrepancies, r.AutoResolved,
        new RunProgress(r.Phase, r.Processed, r.Total), r.Error);

    static Dictionary<string, int> Counts(string? json) =>
        json is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(json)!;
}
