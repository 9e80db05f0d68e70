using Hangfire;
using ReconcileApi.Features.Discrepancies;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Settings;

namespace ReconcileApi.Features.Runs;

/// <summary>
/// Executes one run and owns it: claim → load → engine → lifecycle → complete. Safe to execute twice: it
/// claims the run with a conditional status update, and the lifecycle's changes, the pending orders and the
/// run's completion are written in one transaction that only commits while the run is still <c>running</c>.
/// A process killed midway leaves the run <c>running</c> with nothing half-written; the re-enqueued job
/// starts it again from the orders.
/// Fairness: a workspace runs one run at a time, oldest first. A run whose workspace is busy stays
/// <c>queued</c> and its job looks again in <see cref="WaitBeforeRetry"/>, leaving the worker to other
/// workspaces' runs; a unique index on the running run of a workspace makes the rule hold across processes.
/// </summary>
public sealed class ReconcileRunJob(
    ReconcileDbContext db, IServiceScopeFactory scopes, WriteGate gate, DiscrepancyLifecycle lifecycle, RunCheckpoints checkpoints, RunNotifications notifications, IBackgroundJobClient jobs, TimeProvider clock, ILogger<ReconcileRunJob> logger)
{
    public static readonly TimeSpan WaitBeforeRetry = TimeSpan.FromSeconds(2);

    /// <summary>How long a run waits for a database that took no writes (a full disk, a read-only file) before it tries again.</summary>
    public static readonly TimeSpan WaitAfterStorageFailure = TimeSpan.FromSeconds(5);

    // workspaceId: the run's workspace, only for the name of the job in the Hangfire dashboard.
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Run {0} (workspace {1})")]
    public async Task ExecuteAsync(Guid runId, Guid workspaceId, CancellationToken cancellationToken)
    {
        DateTime? claimedAt = null;
        try
        {
            // Asked by a read first: a run that cannot be claimed yet (its workspace runs another) would otherwise wait for
            // the write lock behind that run's save — seconds to minutes on SQLite — holding a worker another workspace's
            // run could use, and a workspace's queue of runs would hold them all.
            if (await Claimable(runId).AnyAsync(cancellationToken))
                claimedAt = await ClaimAsync(runId, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Races.StorageUnavailable(e) is { } why)
        {
            // The database takes no writes (a full disk, a read-only file): the run waits for it, it is not lost — a run
            // left running by a job that could not record its failure is claimed again here once it can.
            logger.LogWarning(e, "Run {RunId} cannot be claimed: the database's {Why}; tried again in {Wait}", runId, why, WaitAfterStorageFailure);
            RunAgain(runId, workspaceId, WaitAfterStorageFailure);
            return;
        }
        catch (System.Data.Common.DbException) when (!cancellationToken.IsCancellationRequested)
        {
            // Another process claimed a run of this workspace at the same moment (the unique index said no).
            claimedAt = null;
        }
        if (claimedAt is null)
        {
            // Still queued: the workspace is busy with another run, or an older one waits first.
            var status = await db.Runs.Where(r => r.Id == runId).Select(r => new { r.Status, r.NotifiedAt }).SingleOrDefaultAsync(cancellationToken);
            if (status?.Status == RunStatus.Queued)
                RunAgain(runId, workspaceId, WaitBeforeRetry);
            else if (status is { NotifiedAt: null, Status: RunStatus.Succeeded or RunStatus.Failed })
                await NotifyAsync(runId); // this job ended the run and stopped before announcing it
            return;
        }
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId, cancellationToken);
        var held = 0;
        try
        {
            held = await RunAsync(run, claimedAt.Value, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Run {RunId} failed", runId);
            db.ChangeTracker.Clear();
            // What failed inside is for the log (with the run id); the caller gets a sentence it can act on.
            // The engine's parallel loops wrap what they throw.
            var budget = e as RunBudgetExceededException
                ?? (e as AggregateException)?.Flatten().InnerExceptions.OfType<RunBudgetExceededException>().FirstOrDefault();
            var message = budget is not null ? budget.Message
                : Races.StorageUnavailable(e) is { } why
                    ? $"The run could not save its results because the database cannot be written ({why}); it saved nothing. Start a new run once the database takes writes again."
                    : $"The run stopped on an unexpected error and saved nothing; it is logged with run id {runId}. Start a new run; if it fails again, report that id.";
            try
            {
                await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(r => r.Status, RunStatus.Failed)
                        .SetProperty(r => r.Error, message)
                        .SetProperty(r => r.FinishedAt, clock.GetUtcNow().UtcDateTime), CancellationToken.None);
            }
            catch (Exception recording)
            {
                // Its failure cannot be written either (the disk is still full): left running, the run would hold its
                // workspace — whose runs go one at a time — until a restart. Its job runs it again later instead; a run
                // claimed again starts clean and saves in one transaction, as after a crash.
                logger.LogError(recording, "Run {RunId}: its failure could not be recorded; the run is tried again in {Wait}", runId, WaitAfterStorageFailure);
                RunAgain(runId, workspaceId, WaitAfterStorageFailure);
                return;
            }
            await NotifyAsync(runId);
        }
        // Out of RunAsync, whose state held the run's orders and findings: they are garbage now.
        if (held >= CollectAfterOrders)
            CollectRunMemory(runId, held);
    }

    /// <summary>This run's job once more, after <paramref name="wait"/>: a queued run looks again, one the database refused waits for it.</summary>
    void RunAgain(Guid runId, Guid workspaceId, TimeSpan wait) =>
        jobs.Schedule<ReconcileRunJob>(job => job.ExecuteAsync(runId, workspaceId, CancellationToken.None), wait);

    /// <summary>The run, when it is this job's to run: queued (or running, picked up again after a crash), with no other run of its workspace running and no older one waiting.</summary>
    IQueryable<Run> Claimable(Guid runId) =>
        db.Runs.Where(r => r.Id == runId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running)
            && !db.Runs.Any(o => o.WorkspaceId == r.WorkspaceId && o.Id != r.Id
                && (o.Status == RunStatus.Running || (o.Status == RunStatus.Queued && o.CreatedAt < r.CreatedAt))));

    /// <summary>
    /// Claims the run (running, loading) and returns the moment it held it, or null when it is not this job's to run (its
    /// workspace is busy, an older run waits first, or it ended). The moment is read after the claim's update, in its
    /// transaction: the claim succeeds only once the workspace's previous run has committed, so the run starts after that
    /// one's finishedAt (<see cref="CompleteAsync"/>). Read before the update, it was as old as the wait for the write lock,
    /// which can span the previous run's save. A run claimed again after a crash keeps its first startedAt.
    /// </summary>
    /// <remarks>Inside the provider's execution strategy (see <see cref="OrderStore.StoreAsync"/>); an attempt starts clean.</remarks>
    Task<DateTime?> ClaimAsync(Guid runId, CancellationToken ct) =>
        db.InTransactionAsync(async ct =>
        {
            var claimed = await Claimable(runId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, RunStatus.Running)
                    .SetProperty(r => r.Phase, RunPhase.Loading)
                    .SetProperty(r => r.Processed, 0), ct);
            if (claimed == 0)
                return (DateTime?)null;
            var now = clock.GetUtcNow().UtcDateTime;
            await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.StartedAt, r => r.StartedAt ?? now), ct);
            return (DateTime?)now;
        }, ct);

    /// <summary>
    /// Loads, reconciles and saves the claimed run; the number of orders it held (0 when it was cancelled meanwhile).
    /// </summary>
    async Task<int> RunAsync(Run run, DateTime now, CancellationToken cancellationToken)
    {
        var runId = run.Id;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var settings = await SettingsStore.LoadAsync(db, run.WorkspaceId, run.SettingsVersion, cancellationToken);
        var margin = TimeSpan.FromHours(settings.DateToleranceHours);
        var (store, keap) = await LoadAsync(run.WorkspaceId, run.From - margin, run.To + margin, cancellationToken);
        var total = store.Count + keap.Count;
        var loaded = elapsed.Elapsed;
        if (!await ProgressAsync(runId, RunPhase.Matching, total, total, cancellationToken))
            return 0;
        await checkpoints.BeforeMatchingAsync(runId, cancellationToken);

        var matchingStarted = elapsed.Elapsed;
        // The run looks from its first start, so a run picked up again after a crash gives the same answer.
        // Whether a side fell silent depends on all its orders, not only those in the window.
        var startedAt = run.StartedAt ?? now;
        var newestStore = await IdBlockIndexes.NewestOrderDateAsync(db, run.WorkspaceId, OrderSource.Store, startedAt + margin, cancellationToken);
        var newestKeap = await IdBlockIndexes.NewestOrderDateAsync(db, run.WorkspaceId, OrderSource.Keap, startedAt + margin, cancellationToken);
        var zoneId = await db.Workspaces.Where(w => w.Id == run.WorkspaceId).Select(w => w.Timezone).SingleAsync(cancellationToken);
        TimeZones.TryFind(zoneId, out var zone);
        var phases = new List<string>();
        var result = Reconciler.Reconcile(store, keap, settings, new ReconcileWindow(run.From, run.To, zone), startedAt, newestStore, newestKeap,
            (phase, at) => phases.Add($"{phase} {at.TotalMilliseconds:F0}"));
        logger.LogDebug("Engine of run {RunId}, ms since start: {Phases}", runId, string.Join(", ", phases));
        var reconciled = elapsed.Elapsed;
        if (!await ProgressAsync(runId, RunPhase.Saving, 0, result.Findings.Count, cancellationToken))
            return 0;
        var saved = await SaveAsync(run, result, cancellationToken);
        var committed = elapsed.Elapsed;
        if (saved)
            await NotifyAsync(runId);
        logger.LogInformation(
            "Run {RunId} {Outcome}: {Orders} orders loaded in {LoadMs:F0} ms, reconciled in {MatchMs:F0} ms, {Findings} discrepancies saved in {SaveMs:F0} ms, alerts and webhooks in {NotifyMs:F0} ms",
            runId, saved ? "succeeded" : "was cancelled", total, loaded.TotalMilliseconds, (reconciled - matchingStarted).TotalMilliseconds,
            result.Findings.Count, (committed - reconciled).TotalMilliseconds, (elapsed.Elapsed - committed).TotalMilliseconds);
        return total;
    }

    /// <summary>Runs of at least this many orders (both sides) end with a full collection (<see cref="CollectRunMemory"/>).</summary>
    const int CollectAfterOrders = 250_000;

    /// <summary>
    /// A run of a million orders a side leaves about 2 GB of garbage. Collected whenever the runtime next chose to, the
    /// collections stalled the requests that came then: the page of 100 discrepancies, 8 connections, p99 81–224 ms right
    /// after such a run (`scripts/bench.sh scale`, 23 runs), 22–49 ms a few seconds later. Collected here, once, the pause
    /// (169–309 ms) falls on this job's thread as the run ends: p99 right after the run 27–58 ms (README, "Speed").
    /// </summary>
    void CollectRunMemory(Guid runId, int orders)
    {
        var paused = GC.GetTotalPauseDuration();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        logger.LogInformation("Run {RunId} held {Orders} orders: memory collected, paused {PauseMs:F0} ms", runId, orders,
            (GC.GetTotalPauseDuration() - paused).TotalMilliseconds);
    }

    /// <summary>Alerts and webhook events of the ended run; their failure is logged and retried as a job, never the run's.</summary>
    async Task NotifyAsync(Guid runId)
    {
        try
        {
            db.ChangeTracker.Clear();
            await notifications.NotifyAsync(runId, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Run {RunId}: alerts and webhook events failed; retrying as a job", runId);
            jobs.Enqueue<RunNotifications>(n => n.NotifyAsync(runId, CancellationToken.None));
        }
    }

    /// <summary>
    /// The lifecycle's changes, the pending orders and the run's completion, in one transaction; false (and
    /// nothing written) when the run was cancelled meanwhile.
    /// </summary>
    /// <remarks>Inside the provider's execution strategy (see <see cref="OrderStore.StoreAsync"/>); an attempt starts clean.</remarks>
    Task<bool> SaveAsync(Run run, ReconciliationResult result, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(ct => AttemptSaveAsync(run, result, ct), ct);

    async Task<bool> AttemptSaveAsync(Run run, ReconciliationResult result, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var (gcPause, fullCollections) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2));
        using var turn = await gate.EnterAsync(db, run.WorkspaceId, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await SqlitePragmas.LargeWriteCacheAsync(db, ct);
        var begun = timer.ElapsedMilliseconds;
        var changes = await lifecycle.ApplyAsync(run.WorkspaceId, run.Id, new ReconcileWindow(run.From, run.To), result, ct);
        var applied = timer.ElapsedMilliseconds;
        await db.InsertAsync(result.PendingOrders.Select(p => new RunPendingOrder
        {
            RunId = run.Id, Source = p.Source, OrderId = p.OrderId, OrderKey = p.OrderKey, OrderDate = p.OrderDate,
        }).ToList(), ct);
        await db.InsertAsync(result.Days.Select(d => new RunDay
        {
            RunId = run.Id, WorkspaceId = run.WorkspaceId, Date = d.Date, Complete = d.Complete, StoreOrders = d.StoreOrders, KeapOrders = d.KeapOrders,
            StoreRevenue = d.StoreRevenue, KeapRevenue = d.KeapRevenue, Matched = d.Matched, MissingInKeap = d.MissingInKeap,
        }).ToList(), ct);
        var written = timer.ElapsedMilliseconds;
        await checkpoints.WhileSavingAsync(run.Id, ct);
        if (!await CompleteAsync(run.Id, result, changes, ct))
        {
            await transaction.RollbackAsync(ct);
            return false;
        }
        var completed = timer.ElapsedMilliseconds;
        await transaction.CommitAsync(ct);
        // The process's collections meanwhile, to tell the collector's share of a slow save from the database's.
        logger.LogDebug("Save of run {RunId}, ms since start: transaction begun {Begun}, lifecycle {Applied}, pending orders and days {Written}, completed {Completed}, committed {Committed}; GC paused {PauseMs:F0} ms in it ({FullCollections} full)",
            run.Id, begun, applied, written, completed, timer.ElapsedMilliseconds, (GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds,
            GC.CollectionCount(2) - fullCollections);
        return true;
    }

    /// <summary>
    /// Marks the run succeeded with what the engine counted and what the lifecycle did; false when it is no longer running.
    /// The last write of the run's transaction, so its finishedAt is read when everything else is written, just before the
    /// commit — and before the next run of the workspace can claim (<see cref="ClaimAsync"/>).
    /// </summary>
    async Task<bool> CompleteAsync(Guid runId, ReconciliationResult result, LifecycleChanges changes, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var byCategory = JsonSerializer.Serialize(result.Findings.GroupBy(f => f.Category)
            .ToDictionary(g => WireEnum.Name(g.Key), g => g.Count()), StoredJson.Options);
        var bySeverity = JsonSerializer.Serialize(result.Findings.GroupBy(f => f.Severity)
            .OrderBy(g => g.Key).ToDictionary(g => WireEnum.Name(g.Key), g => g.Count()), StoredJson.Options);
        var syncLag = JsonSerializer.Serialize(new RunSyncLag(result.StoreSyncLag, result.KeapSyncLag), StoredJson.Options);
        var count = result.Findings.Count;
        return await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
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
                .SetProperty(r => r.Impact, result.Impact)
                .SetProperty(r => r.NewDiscrepancies, changes.Created)
                .SetProperty(r => r.ReopenedDiscrepancies, changes.Reopened)
                .SetProperty(r => r.PersistingDiscrepancies, changes.Persisting)
                .SetProperty(r => r.AutoResolved, changes.AutoResolved)
                .SetProperty(r => r.Phase, RunPhase.Done)
                .SetProperty(r => r.Processed, count)
                .SetProperty(r => r.Total, count), ct) == 1;
    }


    /// <summary>
    /// Both sides' orders in the window, read at the same time on two connections (each side in its own scope), kept
    /// in their binary form (<see cref="EncodedOrders"/>): a run holds about 200 bytes per order and parses no JSON.
    /// </summary>
    async Task<(EncodedOrders Store, EncodedOrders Keap)> LoadAsync(Guid workspaceId, DateTime from, DateTime to, CancellationToken ct)
    {
        var store = Task.Run(() => LoadSide(workspaceId, OrderSource.Store, from, to, ct), ct);
        var keap = Task.Run(() => LoadSide(workspaceId, OrderSource.Keap, from, to, ct), ct);
        return (await store, await keap);
    }

    /// <remarks>
    /// The query touches only columns of the run's index, which carries the binary form, so the database reads the window
    /// from the index alone. An order stored before the binary form existed is read
    /// from its payload afterwards and encoded here.
    /// </remarks>
    EncodedOrders LoadSide(Guid workspaceId, OrderSource source, DateTime from, DateTime to, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var orders = new EncodedOrders();
        var legacy = new List<long>();
        using (var command = IdBlockIndexes.WindowCommand(db, workspaceId, source, from, to))
        {
            db.Database.OpenConnection();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                if (reader.IsDBNull(1))
                    legacy.Add(reader.GetInt64(0));
                else
                    // Microsoft.Data.Sqlite: a byte array per row is ten times faster than GetBytes, which opens a blob handle each time.
                    orders.Add(reader.GetFieldValue<byte[]>(1));
            }
        }
        foreach (var ids in legacy.Chunk(1000))
        {
            foreach (var payload in db.Orders.Where(o => ids.Contains(o.Id)).Select(o => o.Payload).ToList())
                orders.Add(OrderCodec.Encode(OrderJson.Deserialize(payload)));
        }
        return orders;
    }

    /// <summary>Records the phase; false when the run is no longer running (cancelled).</summary>
    async Task<bool> ProgressAsync(Guid runId, RunPhase phase, int processed, int total, CancellationToken ct) =>
        await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Phase, phase).SetProperty(r => r.Processed, processed).SetProperty(r => r.Total, total), ct) == 1;
}
