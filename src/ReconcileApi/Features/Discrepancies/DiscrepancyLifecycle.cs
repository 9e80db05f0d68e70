using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Discrepancies;

/// <summary>
/// Applies a run's findings to the discrepancies that live across runs: new ones are created, open
/// ones found again are updated, resolved ones found again are reopened, ignored ones stay ignored
/// unless their values changed, and open ones in the window that were not found again are resolved
/// as verified_fixed. Everything, including the run's final status, commits in one transaction.
/// </summary>
public sealed class DiscrepancyLifecycle(ReconcileDbContext db, TimeProvider clock)
{
    const int Chunk = 500;
    public const string System = "system";

    public async Task<bool> ApplyAsync(Run run, ReconciliationResult result, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var findings = result.Findings
            .GroupBy(f => f.IdentityKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var existing = new Dictionary<string, Discrepancy>(StringComparer.Ordinal);
        foreach (var keys in findings.Keys.Chunk(Chunk))
        {
            var list = keys.ToList();
            foreach (var d in await db.Discrepancies.Where(d => d.WorkspaceId == run.WorkspaceId && list.Contains(d.IdentityKey)).ToListAsync(ct))
                existing[d.IdentityKey] = d;
        }

        int created = 0, persisting = 0;
        var events = new List<(Discrepancy Discrepancy, DiscrepancyEvent Event)>();
        foreach (var (key, finding) in findings)
        {
            if (!existing.TryGetValue(key, out var d))
            {
                d = new Discrepancy
                {
                    WorkspaceId = run.WorkspaceId,
                    IdentityKey = key,
                    OrderKey = finding.OrderKey,
                    State = DiscrepancyState.Open,
                    FirstSeenRunId = run.Id,
                    DetectedAt = now,
                    CauseCode = "",
                    CauseExplanation = "",
                    SuggestedAction = "",
                    LineDifferences = "",
                };
                Copy(finding, d);
                d.LastSeenRunId = run.Id;
                d.Occurrences = 1;
                d.UpdatedAt = now;
                d.Version = 1;
                db.Discrepancies.Add(d);
                existing[key] = d;
                created++;
                events.Add((d, Event(d, "created", null, run.Id, now)));
                continue;
            }

            var from = d.State;
            var valuesChanged = d.StoreValue != finding.StoreValue || d.KeapValue != finding.KeapValue || d.Difference != finding.Difference;
            Copy(finding, d);
            d.LastSeenRunId = run.Id;
            d.Occurrences++;
            d.UpdatedAt = now;
            d.Version++;
            if (from == DiscrepancyState.Resolved || (from == DiscrepancyState.Ignored && valuesChanged))
            {
                d.State = DiscrepancyState.Open;
                d.ResolutionAction = null;
                d.ResolutionNote = null;
                d.ResolvedBy = null;
                d.ResolvedAt = null;
                events.Add((d, Event(d, "reopened", from, run.Id, now)));
                created++;
            }
            else
            {
                events.Add((d, Event(d, "seen_again", from, run.Id, now)));
                persisting++;
            }
        }
        await db.SaveChangesAsync(ct);

        foreach (var d in existing.Values)
            db.RunDiscrepancies.Add(new RunDiscrepancy { RunId = run.Id, DiscrepancyId = d.Id });
        foreach (var (d, e) in events)
        {
            e.DiscrepancyId = d.Id;
            db.DiscrepancyEvents.Add(e);
        }
        var autoResolved = await AutoResolveAsync(run, findings, now, ct);
        await db.SaveChangesAsync(ct);

        var byCategory = JsonSerializer.Serialize(findings.Values.GroupBy(f => f.Category)
            .ToDictionary(g => JsonNamingPolicy.SnakeCaseLower.ConvertName(g.Key.ToString()), g => g.Count()));
        var impact = findings.Values.Sum(f => f.Impact);
        var count = findings.Count;
        var finished = await db.Runs.Where(r => r.Id == run.Id && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Succeeded)
                .SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.StoreOrders, result.StoreOrders)
                .SetProperty(r => r.KeapOrders, result.KeapOrders)
                .SetProperty(r => r.Matched, result.Matched)
                .SetProperty(r => r.Pending, result.Pending)
                .SetProperty(r => r.Discrepancies, count)
                .SetProperty(r => r.ByCategory, byCategory)
                .SetProperty(r => r.Impact, impact)
                .SetProperty(r => r.NewDiscrepancies, created)
                .SetProperty(r => r.PersistingDiscrepancies, persisting)
                .SetProperty(r => r.AutoResolved, autoResolved)
                .SetProperty(r => r.Phase, RunPhase.Saving)
                .SetProperty(r => r.Processed, count)
                .SetProperty(r => r.Total, count), ct);
        if (finished == 0)
        {
            // Cancelled while saving: leave everything as it was.
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return false;
        }
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return true;
    }

    /// <summary>Open or acknowledged discrepancies whose order falls in the window and that this run no longer found.</summary>
    async Task<int> AutoResolveAsync(Run run, Dictionary<string, Finding> found, DateTime now, CancellationToken ct)
    {
        var candidates = await db.Discrepancies
            .Where(d => d.WorkspaceId == run.WorkspaceId
                && (d.State == DiscrepancyState.Open || d.State == DiscrepancyState.Acknowledged)
                && d.OrderDate >= run.From && d.OrderDate < run.To)
            .ToListAsync(ct);
        var resolved = 0;
        foreach (var d in candidates)
        {
            if (found.ContainsKey(d.IdentityKey))
                continue;
            var from = d.State;
            d.State = DiscrepancyState.Resolved;
            d.ResolutionAction = "verified_fixed";
            d.ResolutionNote = "Not found again by a run whose window covers the order.";
            d.ResolvedBy = System;
            d.ResolvedAt = now;
            d.UpdatedAt = now;
            d.Version++;
            var e = Event(d, "state_changed", from, run.Id, now);
            e.DiscrepancyId = d.Id;
            e.Action = "verified_fixed";
            e.Actor = System;
            e.Note = d.ResolutionNote;
            db.DiscrepancyEvents.Add(e);
            resolved++;
        }
        return resolved;
    }

    static void Copy(Finding f, Discrepancy d)
    {
        d.Category = f.Category;
        d.Severity = f.Severity;
        d.OrderKey = f.OrderKey;
        d.StoreOrderId = f.StoreOrderId;
        d.KeapOrderId = f.KeapOrderId;
        d.DuplicateOrderId = f.DuplicateOrderId;
        d.CustomerEmail = f.CustomerEmail;
        d.OrderDate = f.OrderDate;
        d.Field = f.Field;
        d.StoreValue = f.StoreValue;
        d.KeapValue = f.KeapValue;
        d.Difference = f.Difference;
        d.Impact = f.Impact;
        d.Currency = f.Currency;
        d.CauseCode = f.Cause.Code;
        d.CauseExplanation = f.Cause.Explanation;
        d.SuggestedAction = JsonSerializer.Serialize(f.SuggestedAction, DiscrepancyResponse.Json);
        d.LineDifferences = JsonSerializer.Serialize(f.LineDifferences, DiscrepancyResponse.Json);
    }

    public static DiscrepancyEvent Event(Discrepancy d, string kind, DiscrepancyState? from, Guid? runId, DateTime at) => new()
    {
        Kind = kind,
        At = at,
        Actor = System,
        FromState = from,
        ToState = d.State,
        RunId = runId,
        Values = JsonSerializer.Serialize(new { d.Severity, d.StoreValue, d.KeapValue, d.Difference, d.Impact, d.Currency }, DiscrepancyResponse.Json),
    };
}
