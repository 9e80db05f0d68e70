using System.Text.Json;
using ReconcileApi.Data;

namespace ReconcileApi.Features.Runs;

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
    decimal Impact,
    int NewDiscrepancies,
    int PersistingDiscrepancies,
    int AutoResolved,
    RunProgress Progress,
    string? Error)
{
    public static RunResponse Of(Run r) => new(
        r.Id, r.Status, r.From, r.To, r.Label, r.CallbackUrl, r.SettingsVersion, r.CreatedAt, r.StartedAt, r.FinishedAt,
        r.StoreOrders, r.KeapOrders, r.Matched, r.Pending, r.Discrepancies,
        r.ByCategory is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(r.ByCategory)!,
        r.Impact, r.NewDiscrepancies, r.PersistingDiscrepancies, r.AutoResolved,
        new RunProgress(r.Phase, r.Processed, r.Total), r.Error);
}
