using System.Text.Json.Serialization;

namespace ReconcileApi.Features.Discrepancies;

public sealed record CauseResponse(string Code, string Explanation);

public sealed record SuggestedActionResponse(string Code, string System, JsonElement Values);

public sealed record ResolutionResponse(ResolutionAction Action, string? Note, string? ResolvedBy, DateTime? ResolvedAt);

/// <summary>A discrepancy as the API shows it: flat, nested no deeper than cause, suggestedAction, resolution and lineDifferences.</summary>
public sealed record DiscrepancyResponse(
    long Id,
    Guid RunId,
    Category Category,
    Severity Severity,
    DiscrepancyState State,
    string OrderKey,
    string? StoreOrderId,
    string? KeapOrderId,
    string? DuplicateOrderId,
    string? CustomerEmail,
    DateTime? OrderDate,
    string? Field,
    string? StoreValue,
    string? KeapValue,
    decimal? Difference,
    decimal Impact,
    string? Currency,
    CauseResponse Cause,
    SuggestedActionResponse SuggestedAction,
    IReadOnlyList<LineDifference> LineDifferences,
    Guid FirstSeenRunId,
    Guid LastSeenRunId,
    int Occurrences,
    DateTime DetectedAt,
    DateTime UpdatedAt,
    ResolutionResponse? Resolution)
{
    static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    // Flat copies of the nested cause and action, for tools that map fields without parsing (Make, Zapier).
    public string CauseCode => Cause.Code;
    public string CauseText => Cause.Explanation;
    public string ActionCode => SuggestedAction.Code;
    public string ActionSystem => SuggestedAction.System;

    /// <summary>The stored action JSON passed through as it is, not rebuilt into objects and written again.</summary>
    public static SuggestedActionResponse ActionOf(Discrepancy d)
    {
        using var action = JsonDocument.Parse(d.SuggestedAction);
        var root = action.RootElement;
        return new SuggestedActionResponse(
            root.GetProperty("code").GetString()!,
            root.GetProperty("system").GetString()!,
            root.TryGetProperty("values", out var values) ? values.Clone() : EmptyObject);
    }

    public static DiscrepancyResponse From(Discrepancy d)
    {
        return new(
            d.Id, d.LastSeenRunId, d.Category, d.Severity, d.State, d.OrderKey, d.StoreOrderId, d.KeapOrderId, d.DuplicateOrderId,
            d.CustomerEmail, d.OrderDate, d.Field, d.StoreValue, d.KeapValue, d.Difference, d.Impact, d.Currency,
            new CauseResponse(d.CauseCode, d.CauseExplanation),
            ActionOf(d),
            d.LineDifferences is "[]" or "" ? [] : JsonSerializer.Deserialize<List<LineDifference>>(d.LineDifferences, StoredJson.Options)!,
            d.FirstSeenRunId, d.LastSeenRunId, d.Occurrences, d.DetectedAt, d.UpdatedAt,
            d.ResolutionAction is { } action ? new ResolutionResponse(action, d.ResolutionNote, d.ResolvedBy, d.ResolvedAt) : null);
    }
}
