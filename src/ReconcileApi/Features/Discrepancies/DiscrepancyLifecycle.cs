using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Discrepancies;

/// <summary>
/// Applies a run's findings to the discrepancies that live across runs: new ones are created, ones
/// found again are updated (a resolved one is reopened; an ignored one stays ignored unless its values
/// changed), and open ones whose order the window covers and that were not found again are resolved as
/// verified_fixed. Everything, the run's final status included, commits in one transaction; runs of
/// one workspace take a lock first, so their lifecycle updates never interleave. Writes are set-based
/// or bulk: a run with tens of thousands of findings costs a few dozen statements, not one per row.
/// </summary>
public sealed class DiscrepancyLifecycle(ReconcileDbContext db, TimeProvider clock)
{
    // Ids per statement: within SQL Server's 2,100 parameters in any translation.
    const int Chunk = 1000;
    public const string System = "system";

    /// <summary>A stored discrepancy with what a finding writes into it (see <see cref="Copy"/>).</summary>
    sealed record Known(long Id, string IdentityKey, DiscrepancyState State, Severity Severity, string? StoreValue, string? KeapValue,
        decimal? Difference, decimal Impact, string? Currency, string? CustomerEmail, DateTime? OrderDate, string? StoreOrderId,
        string? KeapOrderId, string? Field, string CauseCode, string CauseExplanation, string SuggestedAction, string LineDifferences)
    {
        /// <summary>
        /// Whether the values a history entry records changed (severity, store/Keap value, difference, impact,
        /// currency): a missing order has no store/Keap value or difference, only its amount.
        /// </summary>
        public bool ValuesDiffer(Finding f) => StoreValue != f.StoreValue || KeapValue != f.KeapValue || Difference != AsStored(f.Difference)
            || Impact != AsStored(f.Impact) || Severity != f.Severity || Currency != f.Currency;

        /// <summary>An amount as the database keeps it (four decimals, see ReconcileDbContext's money converter), so a finer one compares equal to itself.</summary>
        static decimal? AsStored(decimal? amount) => amount is { } a ? decimal.Round(a, 4, MidpointRounding.AwayFromZero) : null;

        /// <summary>Whether anything the finding would write differs (its values, or e.g. a corrected email or new lines in the suggested action).</summary>
        public bool Differs(Finding f) => ValuesDiffer(f) || CustomerEmail != f.CustomerEmail || OrderDate != f.OrderDate
            || StoreOrderId != f.StoreOrderId || KeapOrderId != f.KeapOrderId || Field != f.Field
            || CauseCode != f.Cause.Code || CauseExplanation != f.Cause.Explanation
            || SuggestedAction != JsonSerializer.Serialize(f.SuggestedAction, StoredJson.Options)
            || LineDifferences != JsonSerializer.Serialize(f.LineDifferences, StoredJson.Options);
    }

    public async Task<bool> ApplyAsync(Run run, ReconciliationResult result, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var findings = result.Findings
            .GroupBy(f => f.IdentityKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await LockWorkspaceAsync(run.WorkspaceId, ct);

        var known = new Dictionary<string, Known>(StringComparer.Ordinal);
        foreach (var keys in findings.Keys.Chunk(Chunk))
        {
            var list = keys.ToList();
            var rows = await db.Discrepancies.AsNoTracking()
                .Where(d => d.WorkspaceId == run.WorkspaceId && list.Contains(d.IdentityKey))
                .Select(d => new Known(d.Id, d.IdentityKey, d.State, d.Severity, d.StoreValue, d.KeapValue, d.Difference, d.Impact, d.Currency,
                    d.CustomerEmail, d.OrderDate, d.StoreOrderId, d.KeapOrderId, d.Field, d.CauseCode, d.CauseExplanation, d.SuggestedAction, d.LineDifferences))
                .ToListAsync(ct);
            foreach (var row in rows)
                known[row.IdentityKey] = row;
        }

        var events = new List<DiscrepancyEvent>(findings.Count);
        var links = new List<RunDiscrepancy>(findings.Count);
        var fresh = new List<Discrepancy>();
        var seenAgain = new List<long>();
        int created = 0, persisting = 0;
        foreach (var (key, finding) in findings)
        {
            if (!known.TryGetValue(key, out var k))
            {
                var d = new Discrepancy
                {
                    WorkspaceId = run.WorkspaceId,
                    IdentityKey = key,
                    OrderKey = finding.OrderKey,
                    State = DiscrepancyState.Open,
                    FirstSeenRunId = run.Id,
                    LastSeenRunId = run.Id,
                    Occurrences = 1,
                    DetectedAt = now,
                    UpdatedAt = now,
                    Version = 1,
                    CauseCode = "",
                    CauseExplanation = "",
                    SuggestedAction = "",
                    LineDifferences = "",
                };
                Copy(finding, d);
                fresh.Add(d);
                created++;
                continue;
            }
            links.Add(new RunDiscrepancy { RunId = run.Id, DiscrepancyId = k.Id });
            var reopen = k.State == DiscrepancyState.Resolved || (k.State == DiscrepancyState.Ignored && k.ValuesDiffer(finding));
            if (!reopen && !k.Differs(finding))
            {
                // The common case, found again as it was: one set-based update below.
                seenAgain.Add(k.Id);
                events.Add(Event(k.Id, "seen_again", k.State, k.State, run.Id, now, Snapshot(finding)));
                persisting++;
                continue;
            }
            var tracked = await db.Discrepancies.SingleAsync(d => d.Id == k.Id, ct);
            Copy(finding, tracked);
            tracked.LastSeenRunId = run.Id;
            tracked.Occurrences++;
            tracked.UpdatedAt = now;
            tracked.Version++;
            if (reopen)
            {
                tracked.State = DiscrepancyState.Open;
                tracked.ResolutionAction = null;
                tracked.ResolutionNote = null;
                tracked.ResolvedBy = null;
                tracked.ResolvedAt = null;
                events.Add(Event(k.Id, "reopened", k.State, DiscrepancyState.Open, run.Id, now, Snapshot(finding)));
                created++;
            }
            else
            {
                events.Add(Event(k.Id, "seen_again", k.State, k.State, run.Id, now, Snapshot(finding)));
                persisting++;
            }
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        foreach (var ids in seenAgain.Chunk(Chunk))
        {
            await db.Discrepancies.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.LastSeenRunId, run.Id)
                .SetProperty(d => d.Occurrences, d => d.Occurrences + 1)
                .SetProperty(d => d.UpdatedAt, now)
                .SetProperty(d => d.Version, d => d.Version + 1), ct);
        }

        // New discrepancies: bulk insert, then read their database ids back by identity.
        await db.InsertAsync(fresh, ct);
        foreach (var keys in fresh.Select(d => d.IdentityKey).Chunk(Chunk))
        {
            var list = keys.ToList();
            var ids = await db.Discrepancies.AsNoTracking()
                .Where(d => d.WorkspaceId == run.WorkspaceId && list.Contains(d.IdentityKey))
                .Select(d => new { d.Id, d.IdentityKey })
                .ToListAsync(ct);
            foreach (var row in ids)
            {
                links.Add(new RunDiscrepancy { RunId = run.Id, DiscrepancyId = row.Id });
                events.Add(Event(row.Id, "created", null, DiscrepancyState.Open, run.Id, now, Snapshot(findings[row.IdentityKey])));
            }
        }

        var autoResolved = await AutoResolveAsync(run, result, findings, events, now, ct);
        await db.InsertAsync(links, ct);
        await db.InsertAsync(events, ct);
        await db.InsertAsync(result.PendingOrders.Select(p => new RunPendingOrder
        {
            RunId = run.Id, Source = p.Source, OrderId = p.OrderId, OrderKey = p.OrderKey, OrderDate = p.OrderDate,
        }).ToList(), ct);

        var byCategory = JsonSerializer.Serialize(findings.Values.GroupBy(f => f.Category)
            .ToDictionary(g => WireEnum.Name(g.Key), g => g.Count()));
        var bySeverity = JsonSerializer.Serialize(findings.Values.GroupBy(f => f.Severity)
            .OrderBy(g => g.Key).ToDictionary(g => WireEnum.Name(g.Key), g => g.Count()));
        var impact = result.Impact;
        var syncLag = JsonSerializer.Serialize(new Dictionary<string, SyncLag> { ["store"] = result.StoreSyncLag, ["keap"] = result.KeapSyncLag }, StoredJson.Options);
        var count = findings.Count;
        var finished = await db.Runs.Where(r => r.Id == run.Id && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Succeeded)
                .SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.StoreOrders, result.StoreOrders)
                .SetProperty(r => r.KeapOrders, result.KeapOrders)
                .SetProperty(r => r.StoreOrdersInWindow, result.StoreOrders)
                .SetProperty(r => r.KeapOrdersInWindow, result.KeapOrders)
                .SetProperty(r => r.StoreRevenue, result.StoreRevenue)
                .SetProperty(r => r.KeapRevenue, result.KeapRevenue)
                .SetProperty(r => r.MatchRate, result.MatchRate)
                .SetProperty(r => r.Cutoff, result.Cutoff)
                .SetProperty(r => r.PendingAfter, result.PendingAfter)
                .SetProperty(r => r.NotExpectedInKeap, result.NotExpectedInKeap)
                .SetProperty(r => r.NotExpectedInStore, result.NotExpectedInStore)
                .SetProperty(r => r.SyncLag, syncLag)
                .SetProperty(r => r.Matched, result.Matched)
                .SetProperty(r => r.Pending, result.Pending)
                .SetProperty(r => r.Discrepancies, count)
                .SetProperty(r => r.ByCategory, byCategory)
                .SetProperty(r => r.BySeverity, bySeverity)
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
            return false;
        }
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// On SQL Server an application lock per workspace, held until the transaction ends; SQLite's
    /// write transaction (BEGIN IMMEDIATE) already admits one writer at a time.
    /// </summary>
    async Task LockWorkspaceAsync(Guid workspaceId, CancellationToken ct)
    {
        if (!db.Database.IsSqlServer())
            return;
        var resource = $"reconcile-lifecycle-{workspaceId}";
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"EXEC sp_getapplock @Resource = {resource}, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1", ct);
    }

    /// <summary>Open or acknowledged discrepancies whose order falls in the window and that this run no longer found.</summary>
    async Task<int> AutoResolveAsync(Run run, ReconciliationResult result, Dictionary<string, Finding> found, List<DiscrepancyEvent> events, DateTime now, CancellationToken ct)
    {
        var query = db.Discrepancies.AsNoTracking()
            .Where(d => d.WorkspaceId == run.WorkspaceId
                && (d.State == DiscrepancyState.Open || d.State == DiscrepancyState.Acknowledged)
                && d.OrderDate >= run.From && d.OrderDate < run.To);
        // A missing order that this run saw only as pending was not verified as fixed.
        if (result.PendingAfter is { } pendingAfter)
            query = query.Where(d => (d.Category != Category.MissingInKeap && d.Category != Category.MissingInStore) || d.OrderDate <= pendingAfter);
        var candidates = await query
            .Select(d => new { d.Id, d.IdentityKey, d.State })
            .ToListAsync(ct);
        var fixedOnes = candidates.Where(c => !found.ContainsKey(c.IdentityKey)).ToList();
        const string note = "Not found again by a run whose window covers the order.";
        foreach (var ids in fixedOnes.Select(c => c.Id).Chunk(Chunk))
        {
            await db.Discrepancies.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, DiscrepancyState.Resolved)
                .SetProperty(d => d.ResolutionAction, "verified_fixed")
                .SetProperty(d => d.ResolutionNote, note)
                .SetProperty(d => d.ResolvedBy, System)
                .SetProperty(d => d.ResolvedAt, now)
                .SetProperty(d => d.UpdatedAt, now)
                .SetProperty(d => d.Version, d => d.Version + 1), ct);
        }
        foreach (var c in fixedOnes)
        {
            var e = Event(c.Id, "state_changed", c.State, DiscrepancyState.Resolved, run.Id, now, null);
            e.Action = "verified_fixed";
            e.Note = note;
            events.Add(e);
        }
        return fixedOnes.Count;
    }

    static void Copy(Finding f, Discrepancy d)
    {
        d.Category = f.Category;
        d.Severity = f.Severity;
        d.SeverityRank = (int)f.Severity;
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
        d.SuggestedAction = JsonSerializer.Serialize(f.SuggestedAction, StoredJson.Options);
        d.LineDifferences = JsonSerializer.Serialize(f.LineDifferences, StoredJson.Options);
    }

    /// <summary>The values an event records: what the discrepancy looked like at that time.</summary>
    public static string Snapshot(Severity severity, string? storeValue, string? keapValue, decimal? difference, decimal impact, string? currency) =>
        JsonSerializer.Serialize(new { severity, storeValue, keapValue, difference, impact, currency }, StoredJson.Options);

    static string Snapshot(Finding f) => Snapshot(f.Severity, f.StoreValue, f.KeapValue, f.Difference, f.Impact, f.Currency);

    public static DiscrepancyEvent Event(long discrepancyId, string kind, DiscrepancyState? from, DiscrepancyState to, Guid? runId, DateTime at, string? values) => new()
    {
        DiscrepancyId = discrepancyId,
        Kind = kind,
        At = at,
        Actor = System,
        FromState = from,
        ToState = to,
        RunId = runId,
        Values = values,
    };
}
