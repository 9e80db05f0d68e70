using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReconcileApi.Benchmarks.Http;

/// <summary>
/// A run end to end on the SQLite default: the seeded dataset of the engine benchmark is ingested
/// through HTTP (not timed), then one run over it is timed from POST /runs to status succeeded
/// (load, reconcile, persist findings and lifecycle), then an identical second run. Both must report
/// exactly the injected discrepancies. Then wrk reads the first page of 100 open discrepancies with 8
/// connections and reports the latency distribution.
/// </summary>
public static partial class RunsBenchmark
{
    internal static readonly DateTime From = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
    internal static readonly DateTime To = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    public static async Task<int> RunAsync(int orders, int seconds, int connections)
    {
        var data = SyntheticDataset.Generate(orders, seed: 42);
        var expected = data.Expected
            .GroupBy(identity => JsonNamingPolicy.SnakeCaseLower.ConvertName(identity.Split('|')[0]))
            .ToDictionary(g => g.Key, g => g.Count());
        await using var service = await BenchService.StartAsync("runs-bench", workers: Environment.ProcessorCount);
        var (client, key) = await service.WorkspaceAsync();
        Console.WriteLine($"runs: {data.Store.Count:N0} store and {data.Keap.Count:N0} Keap orders stored, {data.Expected.Count:N0} injected discrepancies; load average {BenchService.LoadAverage()}");

        var ingest = Stopwatch.StartNew();
        await IngestAsync(client, "store", data.Store);
        await IngestAsync(client, "keap", data.Keap);
        Console.WriteLine($"  ingested in {ingest.Elapsed.TotalSeconds:F1} s (not part of the run times)");
        await DuckDbYardstick.CompareAsync(data);

        var first = await TimedRunAsync(client, service, "first run", expected);
        await PrintPhasesAsync(service, first);
        var second = await TimedRunAsync(client, service, "second identical run", expected);
        await PrintPhasesAsync(service, second);
        if (second.GetProperty("newDiscrepancies").GetInt32() != 0
            || second.GetProperty("persistingDiscrepancies").GetInt32() != first.GetProperty("discrepancies").GetInt32())
            throw new InvalidOperationException($"The second run should find every discrepancy again and nothing new: {second}");

        var open = await OpenCountAsync(client);
        Console.WriteLine($"  open discrepancies: {open:N0}");
        await SingleClientLatencyAsync(client);
        if (Environment.GetEnvironmentVariable("BENCH_HOLD") is { } hold)
        {
            Console.WriteLine($"HOLD {service.Process.BaseAddress} {key}");
            await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold)));
        }
        await PageLatencyAsync(service.Process.BaseAddress, key, seconds, connections);
        Console.WriteLine($"  load average after: {BenchService.LoadAverage()}");
        return 0;
    }

    internal static async Task IngestAsync(HttpClient client, string source, List<Engine.CanonicalOrder> orders)
    {
        foreach (var chunk in orders.Chunk(1000))
        {
            using var content = new StringContent(JsonSerializer.Serialize(chunk, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync($"/api/v1/sources/{source}/orders", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Created || JsonDocument.Parse(text).RootElement.GetProperty("rejected").GetInt32() != 0)
                throw new InvalidOperationException($"Ingest failed: {(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
        }
    }

    /// <summary>POST /runs over the benchmark window, then polls the run until it ends; the time from the POST to the end.</summary>
    internal static async Task<(JsonElement Run, TimeSpan Elapsed)> RunToEndAsync(HttpClient client, string? label = null) =>
        (await RunToEndTimedAsync(client, label)) is var (run, elapsed, _) ? (run, elapsed) : default;

    /// <summary><see cref="RunToEndAsync"/>, with how long the POST took to answer.</summary>
    static async Task<(JsonElement Run, TimeSpan Elapsed, TimeSpan Answered)> RunToEndTimedAsync(HttpClient client, string? label)
    {
        var clock = Stopwatch.StartNew();
        var started = await client.PostAsJsonAsync("/api/v1/runs", new { from = From, to = To, label });
        var answered = clock.Elapsed;
        if (started.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /runs: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
        var location = started.Headers.Location!.ToString();
        while (true)
        {
            var run = JsonDocument.Parse(await client.GetStringAsync(location)).RootElement;
            if (run.GetProperty("status").GetString() is not ("queued" or "running"))
                return (run, clock.Elapsed, answered);
            await Task.Delay(50);
        }
    }

    /// <summary>A run that must succeed with exactly the injected discrepancies by category; prints its time.</summary>
    internal static async Task<JsonElement> TimedRunAsync(HttpClient client, BenchService service, string label, Dictionary<string, int> expected)
    {
        var (cpu, kernel) = (service.Process.CpuTime, service.Process.KernelTime);
        var (run, elapsed, answered) = await RunToEndTimedAsync(client, label);
        (cpu, kernel) = (service.Process.CpuTime - cpu, service.Process.KernelTime - kernel);
        if (run.GetProperty("status").GetString() != "succeeded")
            throw new InvalidOperationException($"The run did not succeed: {run}");
        var found = run.GetProperty("byCategory").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        if (!found.OrderBy(p => p.Key).SequenceEqual(expected.OrderBy(p => p.Key)))
            throw new InvalidOperationException($"The run found {JsonSerializer.Serialize(found)}, the dataset injected {JsonSerializer.Serialize(expected)}");
        Console.WriteLine($"  {label,-22} {elapsed.TotalSeconds,6:F2} s  discrepancies {run.GetProperty("discrepancies").GetInt32():N0} " +
            $"(new {run.GetProperty("newDiscrepancies").GetInt32():N0}, persisting {run.GetProperty("persistingDiscrepancies").GetInt32():N0}), " +
            $"matched {run.GetProperty("matched").GetInt32():N0}; exactly the injected discrepancies by category");
        // The kernel's share: SQLite's file reads and writes, and page faults on memory the process touches for the first
        // time, which this machine makes slow when its memory is cold (BenchService.FreshMemory).
        Console.WriteLine($"    service CPU in the run: {cpu.TotalSeconds:F1} s, of which in the kernel {kernel.TotalSeconds:F1} s");
        // The run's own clock: from its creation to the job claiming it (the POST's answer, Hangfire's pickup), then to its end.
        var (created, claimed, finished) = (run.GetProperty("createdAt").GetDateTime(), run.GetProperty("startedAt").GetDateTime(), run.GetProperty("finishedAt").GetDateTime());
        // The POST's own time is the first request's compilation in a fresh service (--from-snapshot), not the run's.
        Console.WriteLine($"    POST answered in {answered.TotalSeconds:F2} s; queued {(claimed - created).TotalSeconds:F2} s, claimed to finished {(finished - claimed).TotalSeconds:F2} s");
        return run;
    }

    /// <summary>The service's own account of where the run's time went.</summary>
    internal static async Task PrintPhasesAsync(BenchService service, JsonElement run)
    {
        // The job logs after its commit, so the line may trail the status by a moment.
        var id = run.GetProperty("id").GetString()!;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var lines = service.Process.Log.Split('\n');
            var line = lines.LastOrDefault(l => l.Contains(id) && l.Contains("loaded"));
            if (line is not null)
            {
                Console.WriteLine($"    service: {line.Trim()}");
                foreach (var steps in lines.Where(l => l.Contains(id) && (l.Contains("Engine of") || l.Contains("Lifecycle of") || l.Contains("Save of"))))
                    Console.WriteLine($"    service: {steps.Trim()}");
                return;
            }
            await Task.Delay(50);
        }
    }

    static async Task<int> OpenCountAsync(HttpClient client)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/discrepancies?limit=500{(cursor is null ? "" : "&cursor=" + cursor)}")).RootElement;
            count += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return count;
    }

    /// <summary>One client, one request at a time: the page's own cost without queueing.</summary>
    static async Task SingleClientLatencyAsync(HttpClient client)
    {
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync("/api/v1/discrepancies?limit=100");
            await response.Content.ReadAsByteArrayAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"  page of 100, one client, 50 requests: median {times[25]:F1} ms, max {times[^1]:F1} ms");
    }

    /// <summary>wrk (Debian's package) with <paramref name="connections"/> connections on the first page of 100.</summary>
    internal static async Task<double> PageLatencyAsync(Uri baseAddress, string key, int seconds, int connections, string label = "")
    {
        var url = new Uri(baseAddress, "/api/v1/discrepancies?limit=100");
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-H", $"X-Api-Key: {key}", url.ToString() })
            start.ArgumentList.Add(argument);
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start; scripts/bench.sh installs it.");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0 || output.Contains("Non-2xx"))
            throw new InvalidOperationException($"wrk failed or saw errors:\n{output}{await wrk.StandardError.ReadToEndAsync()}");
        var p = Percentiles().Matches(output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var rate = RequestsPerSecond().Match(output).Groups[1].Value;
        Console.WriteLine($"  page of 100 open discrepancies{label}, {connections} connections, {seconds} s (wrk): p50 {p["50%"]}, p90 {p["90%"]}, p99 {p["99%"]}; {rate} requests/s");
        return Milliseconds(p["99%"]);
    }

    /// <summary>wrk's "812.00us", "12.34ms", "1.20s" in milliseconds.</summary>
    static double Milliseconds(string text) =>
        text.EndsWith("us", StringComparison.Ordinal) ? double.Parse(text[..^2], System.Globalization.CultureInfo.InvariantCulture) / 1000
        : text.EndsWith("ms", StringComparison.Ordinal) ? double.Parse(text[..^2], System.Globalization.CultureInfo.InvariantCulture)
        : double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture) * 1000;

    [GeneratedRegex(@"^\s+(50%|75%|90%|99%)\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Percentiles();

    [GeneratedRegex(@"Requests/sec:\s+(\S+)")]
    private static partial Regex RequestsPerSecond();
}
