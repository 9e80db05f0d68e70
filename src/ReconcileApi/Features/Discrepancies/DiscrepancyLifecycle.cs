using System.Diagnostics;

namespace ReconcileApi.Features.Discrepancies;

/// <summary>What a run's findings did to the discrepancies: new ones, reopened ones, ones found again unchanged in state, and ones verified fixed.</summary>
public sealed record LifecycleChanges(int Created, int Reopened, int Persisting, int AutoResolved);

/// <summary>
/// Applies a run's findings to the discrepancies that live across runs: new ones are created, ones
/// found again are updated (a resolved one is reopened; an ignored one stays ignored unless its values
/// changed), and open ones whose order the window covers and that were not found again are resolved as
/// verified_fixed. It changes discrepancies and their history only: the run job owns the run and the
/// transaction this runs in. Runs of one workspace take a lock first, so their lifecycle updates never
/// interleave. Writes are set-based or bulk: a run with tens of thousands of findings costs a few dozen
/// statements, not one per row.
/// </summary>
public sealed class DiscrepancyLifecycle(ReconcileDbContext db, TimeProvider clock, ILogger<DiscrepancyLifecycle> logger)
{
    // Ids per statement: within SQL Server's 2,100 parameters in any translation.
    const int Chunk = 1000;
    // New discrepancies made and written per step (see ApplyAsync).
    const int Block = 8192;
    public const string System = "system";

    /// <summary>A stored discrepancy and the signature of what a finding wrote into it (see <see cref="Copy"/>).</summary>
    sealed record Known(long Id, string IdentityKey, DiscrepancyState State, byte[]? Signature);

    /// <summary>A finding's suggested action and line differences as stored (JSON), and the signature of all it writes.</summary>
    sealed record Texts(string SuggestedAction, string LineDifferences, byte[] Signature)
    {
        public static Texts Of(Finding f)
        {
            var (action, lines) = (StoredJson.Serialize(f.SuggestedAction), JsonSerializer.Serialize(f.LineDifferences, StoredJson.Options));
            return new(action, lines, FindingSignature.Of(f, action, lines));
        }
    }

    /// <summary>
    /// Applies the findings of run <paramref name="runId"/> over <paramref name="window"/>. Runs inside the
    /// caller's transaction (the run job commits it with the run's completion, or rolls both back), and first
    /// takes the workspace's lock so that two runs never interleave their updates.
    /// </summary>
    public async Task<LifecycleChanges> ApplyAsync(Guid workspaceId, Guid runId, ReconcileWindow window, ReconciliationResult result, CancellationToken ct)
    {
        await WorkspaceLock.TakeAsync(db, workspaceId, ct);
        var timer = Stopwatch.StartNew();
        var marks = new List<string>();
        // A step during which the runtime paused for collections says how long (and whether one was full): that pause is in the step's time.
        var (fullCollections, paused) = (GC.CollectionCount(2), GC.GetTotalPauseDuration());
        void Mark(string step)
        {
            var (full, pause) = (GC.CollectionCount(2), GC.GetTotalPauseDuration());
            var ms = (pause - paused).TotalMilliseconds;
            marks.Add($"{step} {timer.ElapsedMilliseconds}{(ms >= 1 ? $" (GC {ms:F0}{(full > fullCollections ? ", full" : "")})" : "")}");
            (fullCollections, paused) = (full, pause);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // One finding per identity, the first (in the engine's order, which the dictionary keeps).
        var findings = new Dictionary<string, Finding>(result.Findings.Count, StringComparer.Ordinal);
        foreach (var f in result.Findings)
            findings.TryAdd(f.IdentityKey, f);

        var known = new Dictionary<string, Known>(StringComparer.Ordinal);
        // A workspace's first run has nothing to look up.
        var anyStored = await db.Discrepancies.AnyAsync(d => d.WorkspaceId == workspaceId, ct);
        // Serializing a finding's action and lines is the largest CPU cost here after the writes. A run that finds stored
        // discrepancies compares them by their texts' signature, so every finding's texts are made on the other cores
        // while this thread reads the stored ones (one core's work: SQLite); a first run makes them while it inserts (below).
        var textsMade = TimeSpan.Zero;
        var textsAhead = anyStored
            ? Task.Run(() =>
            {
                var made = findings.AsParallel().WithDegreeOfParallelism(Math.Max(1, Environment.ProcessorCount - 1)).WithCancellation(ct)
                    // The work is in Select: PLINQ's ToDictionary calls its selectors on the consuming thread, one at a time.
                    .Select(p => (p.Key, Texts: Texts.Of(p.Value)))
                    .ToDictionary(p => p.Key, p => p.Texts, StringComparer.Ordinal);
                // Logged with the steps: whether the look-up of the stored discrepancies or this work bounds the step.
                textsMade = timer.Elapsed;
                return made;
            }, ct)
            : Task.FromResult(new Dictionary<string, Texts>());
        foreach (var keys in anyStored ? findings.Keys.Chunk(Chunk) : [])
        {
            var list = keys.ToList();
            var rows = await db.Discrepancies.AsNoTracking()
                .Where(d => d.WorkspaceId == workspaceId && list.Contains(d.IdentityKey))
                .Select(d => new Known(d.Id, d.IdentityKey, d.State, d.Signature))
                .ToListAsync(ct);
            foreach (var row in rows)
                known[row.IdentityKey] = row;
            // Written before signatures were kept: the stored fields are read and signed here, until a run changes them.
            var unsigned = rows.Where(r => r.Signature is null).Select(r => r.Id).ToList();
            if (unsigned.Count > 0)
            {
                foreach (var d in await db.Discrepancies.AsNoTracking().Where(d => unsigned.Contains(d.Id)).ToListAsync(ct))
                    known[d.IdentityKey] = known[d.IdentityKey] with { Signature = FindingSignature.Of(d) };
            }
        }

        Mark("known");
        var texts = await textsAhead;
        Mark($"texts (made by {textsMade.TotalMilliseconds:F0})");
        // An ignored discrepancy whose values' hash differs reopens only if its values differ in meaning, not in how an amount
        // was written (the stored row is read for these few).
        var ignoredAsBefore = new HashSet<long>();
        var ignoredChanged = known.Values.Where(k => k.State == DiscrepancyState.Ignored && FindingSignature.ValuesDiffer(k.Signature!, texts[k.IdentityKey].Signature))
            .Select(k => k.Id).ToList();
        foreach (var ids in ignoredChanged.Chunk(Chunk))
        {
            foreach (var d in await db.Discrepancies.AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync(ct))
            {
                if (FindingSignature.SameValues(d, findings[d.IdentityKey]))
                    ignoredAsBefore.Add(d.Id);
            }
        }
        var events = new List<DiscrepancyEvent>(findings.Count);
        var links = new List<RunDiscrepancy>();
        var newFindings = new List<KeyValuePair<string, Finding>>();
        var seenAgain = new List<long>();
        var changed = new Dictionary<long, (Finding Finding, bool Reopen, DiscrepancyEvent Event)>();
        foreach (var (key, finding) in findings)
        {
            if (!known.TryGetValue(key, out var k))
            {
                newFindings.Add(new(key, finding));
                continue;
            }
            var signature = texts[key].Signature;
            var reopen = k.State == DiscrepancyState.Resolved
                || (k.State == DiscrepancyState.Ignored && FindingSignature.ValuesDiffer(k.Signature!, signature) && !ignoredAsBefore.Contains(k.Id));
            if (reopen || FindingSignature.Differs(k.Signature!, signature))
            {
                // A change is history, and the run is linked to what it changed (what it created names it: FirstSeenRunId).
                // Its values are written when its row is loaded below, with what changed.
                var change = Event(k.Id, reopen ? DiscrepancyEventKind.Reopened : DiscrepancyEventKind.ValuesChanged, k.State,
                    reopen ? DiscrepancyState.Open : k.State, runId, now, null);
                changed[k.Id] = (finding, reopen, change);
                links.Add(new RunDiscrepancy { RunId = runId, DiscrepancyId = k.Id });
                events.Add(change);
            }
            else
            {
                // The common case, found again as it was: counted on the row (one set-based update below), no event,
                // no link — a year of daily runs grows the history by what changed, not by what persisted.
                seenAgain.Add(k.Id);
            }
        }

        Mark("classified");
        // Found again with other values (or reopened): loaded a thousand at a time, changed, saved together.
        foreach (var ids in changed.Keys.Chunk(Chunk))
        {
            foreach (var tracked in await db.Discrepancies.Where(d => ids.Contains(d.Id)).ToListAsync(ct))
            {
                var (finding, reopen, change) = changed[tracked.Id];
                var was = Recorded.Select(r => r.Read(tracked)).ToArray();
                Copy(finding, texts[tracked.IdentityKey], tracked);
                change.Values = Snapshot(finding, Recorded.Where((r, i) => !Equals(was[i], r.Read(tracked))).Select(r => r.Name).ToList(), tracked);
                tracked.LastSeenRunId = runId;
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
                }
            }
        }
        // Without the savepoint EF Core wraps a save in when a transaction is open: the run's transaction is all or nothing
        // (a failure rolls it back and the run starts again clean), and on SQLite a savepoint's journal kept in memory
        // (temp_store=MEMORY) makes every row updated cost more than the one before: 5,000 updates took 8.7 s in a savepoint
        // against 0.5 s without (sqlite3, these pragmas), and a run reopening 20,572 discrepancies spent 4 minutes here
        // holding the write lock while the other workspaces' writes failed with "database is locked".
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }
        db.ChangeTracker.Clear();
        Mark("changed");

        foreach (var ids in seenAgain.Chunk(Chunk))
        {
            await db.Discrepancies.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.LastSeenRunId, runId)
                .SetProperty(d => d.Occurrences, d => d.Occurrences + 1)
                .SetProperty(d => d.UpdatedAt, now)
                .SetProperty(d => d.Version, d => d.Version + 1), ct);
        }

        Mark("seen again");
        // New discrepancies: bulk insert, which sets their ids on SQLite. On SQL Server they are read back in one
        // range: this transaction holds the workspace's lock, so its rows past the highest id before the insert are these.
        var before = await db.Discrepancies.MaxAsync(d => (long?)d.Id, ct) ?? 0;
        // Made a block ahead on another thread while this one writes the block before: SQLite's insert is single-threaded.
        // Only each one's key and id are needed after its block's insert (its created event, the run's found set).
        var fresh = new List<(string Key, long Id)>(newFindings.Count);
        Task<Discrepancy[]> Make(int start) => Task.Run(() => newFindings.Skip(start).Take(Block)
            .Select(p => New(workspaceId, runId, now, p.Key, p.Value, texts.GetValueOrDefault(p.Key) ?? Texts.Of(p.Value))).ToArray(), ct);
        var next = Make(0);
        for (var start = 0; start < newFindings.Count; start += Block)
        {
            var block = await next;
            if (start + Block < newFindings.Count)
                next = Make(start + Block);
            await db.InsertAsync(block, ct);
            fresh.AddRange(block.Select(d => (d.IdentityKey, d.Id)));
        }
        Mark("inserted");
        if (fresh.Exists(d => d.Id == 0))
        {
            var ids = await db.Discrepancies.AsNoTracking()
                .Where(d => d.Id > before && d.WorkspaceId == workspaceId)
                .Select(d => new { d.Id, d.IdentityKey })
                .ToDictionaryAsync(d => d.IdentityKey, d => d.Id, StringComparer.Ordinal, ct);
            if (ids.Count != fresh.Count)
                throw new InvalidOperationException($"Inserted {fresh.Count} discrepancies but read back {ids.Count}: another writer of the workspace ran inside this transaction.");
            fresh = fresh.ConvertAll(d => (d.Key, ids[d.Key]));
        }
        var createdEvents = new DiscrepancyEvent[fresh.Count];
        Parallel.For(0, fresh.Count, i => createdEvents[i] =
            Event(fresh[i].Id, DiscrepancyEventKind.Created, null, DiscrepancyState.Open, runId, now, Snapshot(findings[fresh[i].Key])));
        events.AddRange(createdEvents);
        // Every discrepancy this run found: created, changed or counted again above.
        var found = new HashSet<long>(fresh.Count + changed.Count + seenAgain.Count);
        fresh.ForEach(d => found.Add(d.Id));
        found.UnionWith(changed.Keys);
        found.UnionWith(seenAgain);
        Mark("ids");
        var autoResolved = await AutoResolveAsync(workspaceId, runId, window, result, found, events, now, ct);
        Mark("auto-resolved");
        await db.InsertAsync(links, ct);
        Mark("links");
        await db.InsertAsync(events, ct);
        Mark("events");
        logger.LogDebug("Lifecycle of run {RunId}, ms since start: {Steps}", runId, string.Join(", ", marks));
        var reopened = changed.Values.Count(c => c.Reopen);
        return new LifecycleChanges(fresh.Count, reopened, findings.Count - fresh.Count - reopened, autoResolved);
    }

    /// <summary>Open or acknowledged discrepancies whose order falls in the window and that this run (<paramref name="found"/>) no longer found.</summary>
    async Task<int> AutoResolveAsync(Guid workspaceId, Guid runId, ReconcileWindow window, ReconciliationResult result, HashSet<long> found,
        List<DiscrepancyEvent> events, DateTime now, CancellationToken ct)
    {
        var (from, to) = (window.From, window.To);
        // The ids alone come from the (workspace, state, order date) index without reading a row; only those this run
        // did not find are read. Asking the database for rows whose LastSeenRunId is not this run read every one in the window.
        var inWindow = await db.Discrepancies.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId
                && (d.State == DiscrepancyState.Open || d.State == DiscrepancyState.Acknowledged)
                && d.OrderDate >= from && d.OrderDate < to)
            .Select(d => d.Id)
            .ToListAsync(ct);
        var fixedOnes = new List<(long Id, DiscrepancyState State)>();
        foreach (var ids in inWindow.Where(id => !found.Contains(id)).Chunk(Chunk))
        {
            var query = db.Discrepancies.AsNoTracking().Where(d => ids.Contains(d.Id));
            // A missing order that this run saw only as pending was not verified as fixed.
            if (result.PendingAfter is { } pendingAfter)
                query = query.Where(d => (d.Category != Category.MissingInKeap && d.Category != Category.MissingInStore) || d.OrderDate <= pendingAfter);
            fixedOnes.AddRange((await query.Select(d => new { d.Id, d.State }).ToListAsync(ct)).Select(d => (d.Id, d.State)));
        }
        const string note = "Not found again by a run whose window covers the order.";
        var resolved = 0;
        foreach (var chunk in fixedOnes.Chunk(Chunk))
        {
            var ids = chunk.Select(c => c.Id).ToList();
            // The state is checked again by the update itself: on SQL Server a person may resolve or ignore one of these
            // between the read above and this write (a resolution does not wait for the workspace's lock), and that
            // resolution stands. Only the rows this update changed get their history.
            var updated = await db.Discrepancies
                .Where(d => ids.Contains(d.Id) && (d.State == DiscrepancyState.Open || d.State == DiscrepancyState.Acknowledged))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.State, DiscrepancyState.Resolved)
                    .SetProperty(d => d.ResolutionAction, ResolutionAction.VerifiedFixed)
                    .SetProperty(d => d.ResolutionNote, note)
                    .SetProperty(d => d.ResolvedBy, System)
                    .SetProperty(d => d.ResolvedAt, now)
                    .SetProperty(d => d.UpdatedAt, now)
                    .SetProperty(d => d.Version, d => d.Version + 1), ct);
            var changed = chunk;
            if (updated != chunk.Length)
            {
                // This run's resolutions carry its instant; a person's carry theirs.
                var ours = (await db.Discrepancies.AsNoTracking()
                    .Where(d => ids.Contains(d.Id) && d.ResolvedBy == System && d.ResolvedAt == now && d.ResolutionAction == ResolutionAction.VerifiedFixed)
                    .Select(d => d.Id).ToListAsync(ct)).ToHashSet();
                changed = chunk.Where(c => ours.Contains(c.Id)).ToArray();
            }
            foreach (var c in changed)
            {
                var e = Event(c.Id, DiscrepancyEventKind.StateChanged, c.State, DiscrepancyState.Resolved, runId, now, null);
                e.Action = ResolutionAction.VerifiedFixed;
                e.Note = note;
                events.Add(e);
            }
            resolved += changed.Length;
        }
        return resolved;
    }

    static Discrepancy New(Guid workspaceId, Guid runId, DateTime now, string key, Finding finding, Texts texts)
    {
        var d = new Discrepancy
        {
            WorkspaceId = workspaceId,
            IdentityKey = key,
            OrderKey = finding.OrderKey,
            State = DiscrepancyState.Open,
            FirstSeenRunId = runId,
            LastSeenRunId = runId,
            Occurrences = 1,
            DetectedAt = now,
            UpdatedAt = now,
            Version = 1,
            CauseCode = "",
            CauseExplanation = "",
            SuggestedAction = "",
            LineDifferences = "",
        };
        Copy(finding, texts, d);
        return d;
    }

    static void Copy(Finding f, Texts texts, Discrepancy d)
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
        d.SuggestedAction = texts.SuggestedAction;
        d.LineDifferences = texts.LineDifferences;
        d.Signature = texts.Signature;
    }

    /// <summary>The values an event records: what the discrepancy looked like at that time.</summary>
    public static string Snapshot(Severity severity, string? storeValue, string? keapValue, decimal? difference, decimal impact, string? currency) =>
        JsonSerializer.Serialize(new { severity, storeValue, keapValue, difference, impact, currency }, StoredJson.Options);

    static string Snapshot(Finding f) => Snapshot(f.Severity, f.StoreValue, f.KeapValue, f.Difference, f.Impact, f.Currency);

    /// <summary>
    /// What a discrepancy's row holds that a run may change, by its name in the API's answer: the values every history entry
    /// records, then the rest. A change records which of them changed (<c>changed</c>) and the new text of each of the rest.
    /// </summary>
    static readonly (string Name, Func<Discrepancy, object?> Read, bool Shown)[] Recorded =
    [
        ("severity", d => d.Severity, false), ("storeValue", d => d.StoreValue, false), ("keapValue", d => d.KeapValue, false),
        ("difference", d => d.Difference, false), ("impact", d => d.Impact, false), ("currency", d => d.Currency, false),
        ("customerEmail", d => d.CustomerEmail, true), ("orderDate", d => d.OrderDate, true), ("storeOrderId", d => d.StoreOrderId, true),
        ("keapOrderId", d => d.KeapOrderId, true), ("duplicateOrderId", d => d.DuplicateOrderId, true), ("field", d => d.Field, true),
        ("causeCode", d => d.CauseCode, true), ("causeText", d => d.CauseExplanation, true),
        // Stored JSON: named when changed, read in full on the discrepancy.
        ("suggestedAction", d => d.SuggestedAction, false), ("lineDifferences", d => d.LineDifferences, false),
    ];

    /// <summary>The values of a discrepancy found again changed: the usual six, the names of what changed, the new text of those shown.</summary>
    static string Snapshot(Finding f, List<string> changes, Discrepancy after)
    {
        var values = new Dictionary<string, object?>
        {
            ["severity"] = f.Severity, ["storeValue"] = f.StoreValue, ["keapValue"] = f.KeapValue, ["difference"] = f.Difference,
            ["impact"] = f.Impact, ["currency"] = f.Currency, ["changed"] = changes,
        };
        foreach (var (name, read, shown) in Recorded)
        {
            if (shown && changes.Contains(name))
                values[name] = read(after);
        }
        return JsonSerializer.Serialize(values, StoredJson.Options);
    }

    public static DiscrepancyEvent Event(long discrepancyId, DiscrepancyEventKind kind, DiscrepancyState? from, DiscrepancyState to, Guid? runId, DateTime at, string? values) => new()
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
