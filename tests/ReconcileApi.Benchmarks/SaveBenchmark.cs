using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Discrepancies;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Benchmarks;

/// <summary>
/// The save of a run alone (issue #13: "saving new findings"), without the HTTP ingest that makes `scale` take minutes:
/// the engine's findings over the seeded dataset are applied by the service's own <see cref="DiscrepancyLifecycle"/>
/// to a SQLite file set up by its migrations, in the transaction a run uses (write gate, large write cache), and
/// committed — first as new discrepancies, then again as persisting ones, then again. Each round prints the
/// lifecycle's own steps (its debug log) and the commit. The file holds no orders: a run's save does not touch them.
/// No host runs here, so neither does the background checkpointer: the log grows across the rounds.
/// </summary>
public static class SaveBenchmark
{
    public static async Task<int> RunAsync(int orders, int rounds)
    {
        var data = SyntheticDataset.Generate(orders, seed: 42);
        var from = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        var window = new ReconcileWindow(from, from.AddMonths(1));
        var result = Reconciler.Reconcile(data.Store, data.Keap, ReconcileSettings.Default, window);
        if (result.Findings.Count != data.Expected.Count)
        {
            Console.Error.WriteLine($"save: the engine found {result.Findings.Count:N0} discrepancies, {data.Expected.Count:N0} were injected");
            return 1;
        }
        await DuckDbYardstick.AppendFindingsAsync(result.Findings);
        // A run's save holds its findings, not two million order objects: a run holds its orders in their binary form, a
        // few objects for a million. Kept here, they made each full collection during the save pause 1.3-1.5 s (the
        // service's pause 150-170 ms) and the save's figure a figure of this benchmark's heap.
        var (storeCount, keapCount) = (data.Store.Count, data.Keap.Count);
        data = null!;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var folder = Directory.CreateTempSubdirectory("reconcile-save-bench-");
        var options = new ServiceOptions { ConnectionStrings = { Reconcile = $"Data Source={Path.Combine(folder.FullName, "reconcile.db")}" } };
        await using var services = new ServiceCollection()
            .AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                .AddFilter(typeof(DiscrepancyLifecycle).FullName, LogLevel.Debug))
            .AddSingleton(TimeProvider.System)
            .AddReconcileData(options)
            .AddDiscrepancies()
            .BuildServiceProvider();
        var workspaceId = Guid.NewGuid();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            db.Workspaces.Add(new Workspace { Id = workspaceId, Name = "save bench", Timezone = "UTC", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        Console.WriteLine($"save: {result.Findings.Count:N0} findings over {storeCount:N0} x {keapCount:N0} orders into {folder.FullName}; " +
            $"{Environment.ProcessorCount} cores; load average {Http.BenchService.LoadAverage()}; {Http.BenchService.FreshMemory()}");
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
                var runId = Guid.NewGuid();
                db.Runs.Add(new Run { Id = runId, WorkspaceId = workspaceId, Status = RunStatus.Running, From = window.From, To = window.To, CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();

                var clock = Stopwatch.StartNew();
                LifecycleChanges changes;
                TimeSpan applied;
                using (await scope.ServiceProvider.GetRequiredService<WriteGate>().EnterAsync(db, default))
                {
                    await using var transaction = await db.Database.BeginTransactionAsync();
                    await SqlitePragmas.LargeWriteCacheAsync(db, default);
                    changes = await scope.ServiceProvider.GetRequiredService<DiscrepancyLifecycle>().ApplyAsync(workspaceId, runId, window, result, default);
                    applied = clock.Elapsed;
                    await transaction.CommitAsync();
                }
                var total = clock.Elapsed;
                // One running run per workspace: this one ends before the next round's starts.
                await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RunStatus.Succeeded));
                if (round == 0 ? changes.Created != result.Findings.Count : changes.Persisting != result.Findings.Count)
                    throw new InvalidOperationException($"Round {round + 1} should {(round == 0 ? "create" : "find again")} every finding: {changes}");
                // A new discrepancy is two rows (itself and its created event); one found again unchanged is an update.
                var rows = changes.Created * 2 + changes.Persisting;
                Console.WriteLine($"  round {round + 1} ({changes}): {total.TotalSeconds:F2} s (lifecycle {applied.TotalSeconds:F2}, commit {(total - applied).TotalSeconds:F2}); " +
                    $"{result.Findings.Count / total.TotalSeconds:N0} findings/s, {rows / total.TotalSeconds:N0} rows/s; file {Size(folder):N0} MB");
            }
        }
        finally
        {
            // The pooled connections hold the file open.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Environment.GetEnvironmentVariable("BENCH_KEEP_DATABASE") is null)
                folder.Delete(recursive: true);
        }
        return 0;
    }

    static long Size(DirectoryInfo folder) => folder.EnumerateFiles().Sum(f => f.Length) / 1048576;
}
