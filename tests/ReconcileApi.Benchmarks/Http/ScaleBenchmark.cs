using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ReconcileApi.Benchmarks.Http;

/// <summary>
/// The whole path at scale (issue #13): the engine benchmark's seeded dataset (default a million orders a side) is
/// ingested over HTTP by several clients, 1,000 orders a request (timed: new, then the store side again unchanged), a
/// run over it is timed from POST /runs to succeeded and checked to report exactly the injected discrepancies, then an
/// identical second run, then wrk reads a page of 100 discrepancies. The service's peak memory is read from the OS.
/// Beside it, DuckDB does the bare comparison in SQL over the same orders (key extraction, full outer join, totals,
/// status, email): the yardstick the issue names.
/// </summary>
public static class ScaleBenchmark
{
    /// <param name="snapshot">
    /// A folder for the database after the ingest (and the workspace's key): with <paramref name="fromSnapshot"/> a later
    /// invocation starts from a copy of it and skips the ingest, to time the runs again in two minutes instead of nine.
    /// </param>
    /// <param name="resend">With <paramref name="fromSnapshot"/>: the store side sent again twice before the runs — the first
    /// resend after a new build reads every order (its hashes were seeded by another build), the second recognises them.</param>
    /// <param name="add">With <paramref name="fromSnapshot"/>: this many new store orders (the dataset's first ones under new ids,
    /// in its order) sent on top of the stored million, timed, and then nothing else: the ingest of new orders into a full
    /// store in two minutes instead of the whole path's nine.</param>
    public static async Task<int> RunAsync(int orders, int clients, int seconds, int connections, string? snapshot, bool fromSnapshot, bool inOrder, bool resend, int add = 0)
    {
        var generated = Stopwatch.StartNew();
        // Shuffled by default (the worst case for the indexes); --in-order sends each side in creation (date) order, as a backfill pages through a store.
        var data = SyntheticDataset.Generate(orders, seed: 42, shuffle: !inOrder);
        var expected = data.Expected
            .GroupBy(identity => JsonNamingPolicy.SnakeCaseLower.ConvertName(identity.Split('|')[0]))
            .ToDictionary(g => g.Key, g => g.Count());
        Console.WriteLine($"scale: {data.Store.Count:N0} store and {data.Keap.Count:N0} Keap orders, {data.Expected.Count:N0} injected discrepancies " +
            $"(generated in {generated.Elapsed.TotalSeconds:F1} s, {(inOrder ? "in date order" : "shuffled")}); {Environment.ProcessorCount} cores; load average {BenchService.LoadAverage()}");

        await DuckDbYardstick.CompareAsync(data);

        var (database, keyFile) = snapshot is null ? (null, null) : (Path.Combine(snapshot, "bench.db"), Path.Combine(snapshot, "key"));
        await using var service = await BenchService.StartAsync("scale-bench", workers: Environment.ProcessorCount, database: fromSnapshot ? database : null);
        HttpClient client;
        string key;
        if (fromSnapshot)
        {
            key = await File.ReadAllTextAsync(keyFile!);
            client = service.Process.CreateClient(key);
            client.Timeout = TimeSpan.FromMinutes(5);
            Console.WriteLine($"  ingest skipped: started from {database}");
            if (resend)
            {
                var store = Bodies(data.Store);
                Report("resend store, unchanged (1st)", await SendAsync(client, clients, "store", store, "unchanged", service), service);
                Report("resend store, unchanged (2nd)", await SendAsync(client, clients, "store", store, "unchanged", service), service);
            }
            if (add > 0)
            {
                var added = Bodies(data.Store.Take(add).Select(o => o with { OrderId = o.OrderId + "n", OrderNumber = o.OrderNumber + "n" }).ToList());
                Report($"ingest store, {add:N0} new on top", await SendAsync(client, clients, "store", added, "inserted", service), service);
                return 0;
            }
        }
        else
        {
            (client, key) = await service.WorkspaceAsync();
            var store = Bodies(data.Store);
            var keap = Bodies(data.Keap);
            Report("ingest store, new", await SendAsync(client, clients, "store", store, "inserted", service), service);
            Report("ingest Keap, new", await SendAsync(client, clients, "keap", keap, "inserted", service), service);
            Report("ingest store again, unchanged", await SendAsync(client, clients, "store", store, "unchanged", service), service);
            store.Clear();
            keap.Clear();
            if (snapshot is not null)
            {
                Directory.CreateDirectory(snapshot);
                File.Delete(database!);
                await service.BackupAsync(database!);
                await File.WriteAllTextAsync(keyFile!, key);
                Console.WriteLine($"  database after the ingest saved in {snapshot} (--from-snapshot starts there)");
            }
        }

        // BENCH_TRACE=<seconds>: a CPU trace of the service during the first run (dotnet-trace, installed as a global tool),
        // summarised with `dotnet-trace report <file> topN --inclusive`.
        using var trace = Environment.GetEnvironmentVariable("BENCH_TRACE") is { } traceSeconds
            ? Process.Start(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace"),
                $"collect -p {service.Process.Id} --profile dotnet-sampled-thread-time --duration 00:00:{int.Parse(traceSeconds):D2} -o /tmp/scale-run.nettrace")
            : null;
        Console.WriteLine($"  before the first run: {BenchService.FreshMemory()}; load average {BenchService.LoadAverage()}");
        var first = await RunsBenchmark.TimedRunAsync(client, service, "first run", expected);
        trace?.WaitForExit();
        await RunsBenchmark.PrintPhasesAsync(service, first);
        // The page's code is compiled by its first requests: served here once, so that the window after the second run
        // measures what a run leaves behind (its garbage, its log), not the first call of an endpoint.
        await RunsBenchmark.PageLatencyAsync(service.Process.BaseAddress, key, 3, connections, " after the first run, the page served for the first time");
        PrintCollection(service, first);
        var second = await RunsBenchmark.TimedRunAsync(client, service, "second identical run", expected);
        await RunsBenchmark.PrintPhasesAsync(service, second);
        if (second.GetProperty("newDiscrepancies").GetInt32() != 0
            || second.GetProperty("persistingDiscrepancies").GetInt32() != first.GetProperty("discrepancies").GetInt32())
            throw new InvalidOperationException($"The second run should find every discrepancy again and nothing new: {second}");
        Console.WriteLine($"  service peak memory so far: {service.Process.PeakMemoryMb:N0} MB");
        var of = $" (of {first.GetProperty("discrepancies").GetInt32():N0})";
        await RunsBenchmark.PageLatencyAsync(service.Process.BaseAddress, key, seconds, connections, of + " right after the run");
        // SQLite copies the second run's pages from its log into the database file in the background (SqliteCheckpointer):
        // the window above overlaps that copy; this one starts once it is done.
        var log = service.Process.Log.Split('\n');
        var saved = Array.FindLastIndex(log, l => l.Contains(second.GetProperty("id").GetString()!) && l.Contains("Save of"));
        foreach (var line in log.Skip(saved + 1).Where(l => l.Contains("Checkpoint:")))
            Console.WriteLine($"    service: {line.Trim()}");
        PrintCollection(service, second);
        await RunsBenchmark.PageLatencyAsync(service.Process.BaseAddress, key, seconds, connections, of + ", again");
        Console.WriteLine($"  service peak memory: {service.Process.PeakMemoryMb:N0} MB; load average after: {BenchService.LoadAverage()}");
        return 0;
    }

    /// <summary>The full collection the run job makes after a large run (ReconcileRunJob.CollectRunMemory), with its pause.</summary>
    static void PrintCollection(BenchService service, JsonElement run)
    {
        var id = run.GetProperty("id").GetString()!;
        foreach (var line in service.Process.Log.Split('\n').Where(l => l.Contains(id) && l.Contains("memory collected")))
            Console.WriteLine($"    service: {line.Trim()}");
    }

    /// <summary>The request bodies as the client sends them, UTF-8 encoded before any clock starts.</summary>
    static List<byte[]> Bodies(List<Engine.CanonicalOrder> orders) =>
        orders.Chunk(1000).Select(chunk => JsonSerializer.SerializeToUtf8Bytes(chunk, JsonSerializerOptions.Web)).ToList();

    static async Task<(int Orders, TimeSpan Elapsed, TimeSpan ServiceCpu)> SendAsync(HttpClient client, int clients, string source, List<byte[]> bodies, string expect, BenchService service)
    {
        var count = 0;
        var next = -1;
        var cpu = service.Process.CpuTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
                using var response = await client.PostAsync($"/api/v1/sources/{source}/orders", content);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"{(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
                var receipt = JsonDocument.Parse(text).RootElement;
                var received = receipt.GetProperty("received").GetInt32();
                if (receipt.GetProperty(expect).GetInt32() != received)
                    throw new InvalidOperationException($"Expected every order {expect}: {text[..Math.Min(text.Length, 500)]}");
                Interlocked.Add(ref count, received);
            }
        }));
        return (count, clock.Elapsed, service.Process.CpuTime - cpu);
    }

    static void Report(string what, (int Orders, TimeSpan Elapsed, TimeSpan ServiceCpu) r, BenchService service) =>
        Console.WriteLine($"  {what,-32} {r.Orders,10:N0} orders in {r.Elapsed.TotalSeconds,6:F1} s: {r.Orders / r.Elapsed.TotalSeconds,8:N0} orders/s; " +
            $"service CPU {r.ServiceCpu.TotalMilliseconds / (r.Orders / 1000.0):F0} ms per 1,000 orders; service peak memory {service.Process.PeakMemoryMb:N0} MB");
}
