using System.Diagnostics;
using System.Runtime;
using ReconcileApi.Benchmarks;
using ReconcileApi.Benchmarks.Http;
using ReconcileApi.Engine;

// Usage: engine [--sizes 10000,100000,1000000] [--iterations 5] [--seed 42] [--phases] [--alloc-types] [--profile-normalize] [--no-prefetch] [--in-order] [--encoded]
var section = args.FirstOrDefault() ?? "engine";
if (section == "ingest")
    return await ReconcileApi.Benchmarks.Http.IngestBenchmark.RunAsync(int.Parse(Option("--orders", "200000")), int.Parse(Option("--clients", "2")));
if (section == "runs")
    return await ReconcileApi.Benchmarks.Http.RunsBenchmark.RunAsync(int.Parse(Option("--orders", "200000")), int.Parse(Option("--seconds", "20")), int.Parse(Option("--connections", "8")));
if (section == "scale")
    return await ReconcileApi.Benchmarks.Http.ScaleBenchmark.RunAsync(int.Parse(Option("--orders", "1000000")), int.Parse(Option("--clients", "4")), int.Parse(Option("--seconds", "20")), int.Parse(Option("--connections", "8")),
        args.Contains("--from-snapshot") ? Option("--from-snapshot", "") : args.Contains("--snapshot") ? Option("--snapshot", "") : null, args.Contains("--from-snapshot"), args.Contains("--in-order"), args.Contains("--resend"),
        int.Parse(Option("--add", "0")));
if (section == "workers")
    return await ReconcileApi.Benchmarks.Http.WorkersBenchmark.RunAsync(int.Parse(Option("--workspaces", "8")), int.Parse(Option("--orders", "20000")),
        Option("--workers", "1,2,4").Split(',').Select(int.Parse).ToArray(), int.Parse(Option("--rounds", "3")));
if (section == "save")
    return await SaveBenchmark.RunAsync(int.Parse(Option("--orders", "1000000")), int.Parse(Option("--rounds", "3")));
if (section == "monitoring")
    return await ReconcileApi.Benchmarks.Http.MonitoringBenchmark.RunAsync(int.Parse(Option("--runs", "20")), int.Parse(Option("--backlog", "1000")), int.Parse(Option("--seconds", "10")), int.Parse(Option("--per-target", "60")));
if (section != "engine")
{
    Console.Error.WriteLine($"unknown section '{section}'; known: engine, ingest, runs, monitoring, scale, workers, save");
    return 2;
}
var sizes = Option("--sizes", "10000,100000,1000000").Split(',').Select(int.Parse).ToArray();
var iterations = int.Parse(Option("--iterations", "5"));
var seed = int.Parse(Option("--seed", "42"));
var showPhases = args.Contains("--phases");
// --no-prefetch measures what the prefetch hints are worth (src/ReconcileApi.Engine/Prefetch.cs).
var tuning = Tuning.Default with { Prefetch = !args.Contains("--no-prefetch") };
using var sampler = args.Contains("--alloc-types") ? new AllocationSampler() : null;

Console.WriteLine($"load average before: {BenchService.LoadAverage()}; {BenchService.FreshMemory()}");
Console.WriteLine($"engine benchmark: {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}, {iterations} timed iterations after warm-up runs, seed {seed}, lists {(args.Contains("--in-order") ? "in creation order" : "shuffled")}{(args.Contains("--encoded") ? ", encoded (decoded when read)" : "")}");
Console.WriteLine($"{"orders/side",12} {"store",9} {"keap",9} {"findings",9} {"median ms",10} {"min ms",8} {"max ms",8} {"cpu ms",8} {"alloc MB/run",13} {"peak WS MB",11} {"GC heap MB",11}");
foreach (var n in sizes)
{
    var data = SyntheticDataset.Generate(n, seed, shuffle: !args.Contains("--in-order"));
    // --encoded: the orders as a run holds them, in their binary form, each decoded when the engine reads it (issue #13).
    IReadOnlyList<CanonicalOrder> store = data.Store, keap = data.Keap;
    if (args.Contains("--encoded"))
        (store, keap) = (Encoded(data.Store), Encoded(data.Keap));
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    var settings = ReconcileSettings.Default;
    using (var p = Process.GetCurrentProcess())
        Console.WriteLine($"  dataset in memory: working set {p.WorkingSet64 / 1048576.0:F0} MB, GC heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB; peak so far {p.PeakWorkingSet64 / 1048576.0:F0} MB");

    if (args.Contains("--profile-normalize"))
        NormalizeProfile.Run(data, keap as ReconcileApi.Features.Orders.EncodedOrders);
    var result = Reconciler.Reconcile(store, keap, settings, tuning);
    if (!Verify(result, data))
        return 1;
    // Small sizes finish before the JIT has settled; a few more untimed runs let it.
    result = null!;
    for (var w = 0; w < (n <= 100_000 ? 4 : 1); w++)
        Reconciler.Reconcile(store, keap, settings, tuning);

    var times = new List<double>();
    var cpu = new List<double>();
    using var self = Process.GetCurrentProcess();
    long allocated = 0;
    for (var i = 0; i < iterations; i++)
    {
        // The previous result must not stay alive through this run: peak memory is the engine's own.
        result = null!;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        self.Refresh();
        var cpuBefore = self.TotalProcessorTime;
        if (sampler is not null)
            sampler.Recording = true;
        var sw = Stopwatch.StartNew();
        var phases = new List<string>();
        var (g0, g1, g2, pause) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var allocatedBefore = before;
        // Each phase's time and what it allocated (MB), to see which one feeds the collector.
        result = Reconciler.Reconcile(store, keap, settings, tuning, (phase, at) =>
        {
            var now = GC.GetTotalAllocatedBytes(precise: true);
            phases.Add($"{phase} {at.TotalMilliseconds:F0} (+{(now - allocatedBefore) / 1048576.0:F0} MB)");
            allocatedBefore = now;
        });
        sw.Stop();
        if (sampler is not null)
            sampler.Recording = false;
        if (showPhases)
            Console.WriteLine($"  phases (ms since start): {string.Join(", ", phases)}; GCs gen0/1/2 {GC.CollectionCount(0) - g0}/{GC.CollectionCount(1) - g1}/{GC.CollectionCount(2) - g2}, pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms");
        self.Refresh();
        cpu.Add((self.TotalProcessorTime - cpuBefore).TotalMilliseconds);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    cpu.Sort();
    using var process = Process.GetCurrentProcess();
    process.Refresh();
    var gcInfo = GC.GetGCMemoryInfo(GCKind.Any);
    Console.WriteLine($"{n,12:N0} {data.Store.Count,9:N0} {data.Keap.Count,9:N0} {result.Findings.Count,9:N0} {times[times.Count / 2],10:F1} {times[0],8:F1} {times[^1],8:F1} {cpu[cpu.Count / 2],8:F0} {allocated / 1048576.0,13:F1} {process.PeakWorkingSet64 / 1048576.0,11:F0} {gcInfo.HeapSizeBytes / 1048576.0,11:F0}");
    GC.KeepAlive(data);
    sampler?.Print(iterations);
    // After the timed runs, so that the peak working set above is the engine's own. DuckDB's allocator keeps some of its memory
    // after the connection closes: a larger size after a smaller one starts 100-200 MB higher (1,472 against 1,250 MB at 1M).
    await DuckDbYardstick.CompareAsync(data);
    Console.WriteLine($"  load average after: {BenchService.LoadAverage()} (other work on this machine inflates wall times; cpu ms is the process's CPU time, median)");
}
return 0;

static ReconcileApi.Features.Orders.EncodedOrders Encoded(List<CanonicalOrder> orders)
{
    var list = new ReconcileApi.Features.Orders.EncodedOrders();
    foreach (var o in orders)
        list.Add(ReconcileApi.Features.Orders.OrderCodec.Encode(o));
    return list;
}

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static bool Verify(ReconciliationResult result, SyntheticDataset data)
{
    var actual = result.Findings.Select(f => f.IdentityKey).ToList();
    var actualSet = actual.ToHashSet(StringComparer.Ordinal);
    var missing = data.Expected.Where(e => !actualSet.Contains(e)).Order(StringComparer.Ordinal).ToList();
    var unexpected = actualSet.Where(a => !data.Expected.Contains(a)).Order(StringComparer.Ordinal).ToList();
    var repeated = actual.Count - actualSet.Count;
    if (missing.Count == 0 && unexpected.Count == 0 && repeated == 0)
    {
        var byCategory = result.Findings.GroupBy(f => f.Category).OrderBy(g => g.Key)
            .Select(g => $"{g.Key}={g.Count()}");
        Console.WriteLine($"  verified {data.Expected.Count:N0} injected discrepancies (pending {result.Pending}): {string.Join(" ", byCategory)}");
        return true;
    }
    Console.Error.WriteLine($"VERIFICATION FAILED: {missing.Count} expected findings not reported, {unexpected.Count} unexpected, {repeated} repeated identities");
    foreach (var m in missing.Take(10))
        Console.Error.WriteLine($"  missing:    {m}");
    foreach (var u in unexpected.Take(10))
        Console.Error.WriteLine($"  unexpected: {u}  {result.Findings.First(f => f.IdentityKey == u).Cause.Explanation}");
    var expectedByCategory = data.Expected.GroupBy(e => e[..e.IndexOf('|')]).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}");
    var actualByCategory = actualSet.GroupBy(e => e[..e.IndexOf('|')]).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}");
    Console.Error.WriteLine($"  expected: {string.Join(" ", expectedByCategory)}");
    Console.Error.WriteLine($"  actual:   {string.Join(" ", actualByCategory)}");
    return false;
}
