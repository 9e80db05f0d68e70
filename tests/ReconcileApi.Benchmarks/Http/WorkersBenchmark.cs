using System.Diagnostics;

namespace ReconcileApi.Benchmarks.Http;

/// <summary>
/// Past one machine, in simulation (issue #13): several workspaces, each with its own orders, all asking for a run at
/// the same moment, served by a process with 1, 2 and 4 Hangfire workers. Each configuration starts a fresh service,
/// ingests the workspaces' orders (not timed), then times from the first POST /runs until every run succeeded, three
/// times; each run must report exactly its injected discrepancies. Runs per hour and orders reconciled per second
/// show how far more workers carry one process before the database (one writer on SQLite) and the cores saturate.
/// </summary>
public static class WorkersBenchmark
{
    public static async Task<int> RunAsync(int workspaces, int orders, int[] workerCounts, int rounds)
    {
        var data = SyntheticDataset.Generate(orders, seed: 7);
        var expected = data.Expected.Count;
        Console.WriteLine($"workers: {workspaces} workspaces x ({data.Store.Count:N0} store + {data.Keap.Count:N0} Keap orders, {expected:N0} injected discrepancies); " +
            $"{Environment.ProcessorCount} cores; load average {BenchService.LoadAverage()}");
        foreach (var workers in workerCounts)
        {
            await using var service = await BenchService.StartAsync($"workers-{workers}", workers);
            var clients = new List<HttpClient>();
            for (var w = 0; w < workspaces; w++)
            {
                var (client, _) = await service.WorkspaceAsync();
                await RunsBenchmark.IngestAsync(client, "store", data.Store);
                await RunsBenchmark.IngestAsync(client, "keap", data.Keap);
                clients.Add(client);
            }
            var times = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var runs = await Task.WhenAll(clients.Select(client => RunsBenchmark.RunToEndAsync(client)));
                times.Add(clock.Elapsed.TotalSeconds);
                foreach (var (run, _) in runs)
                {
                    if (run.GetProperty("status").GetString() != "succeeded" || run.GetProperty("discrepancies").GetInt32() != expected)
                        throw new InvalidOperationException($"Each run should succeed with the {expected} injected discrepancies: {run}");
                }
            }
            times.Sort();
            var median = times[times.Count / 2];
            var reconciled = (double)workspaces * (data.Store.Count + data.Keap.Count);
            Console.WriteLine($"  {workers} worker{(workers == 1 ? "" : "s")}: {workspaces} runs in {median:F2} s (median of {rounds}; {string.Join(" / ", times.Select(t => t.ToString("F2")))}): " +
                $"{workspaces / median * 3600:N0} runs/hour, {reconciled / median:N0} orders reconciled/s; service peak memory {service.Process.PeakMemoryMb:N0} MB");
        }
        Console.WriteLine($"  load average after: {BenchService.LoadAverage()}");
        return 0;
    }
}
