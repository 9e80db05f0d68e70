using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace ReconcileApi.Benchmarks.Http;

/// <summary>
/// Issue #11's two figures, against the Release service on the SQLite default:
/// (1) how long after a run ends its <c>run.succeeded</c> webhook reaches a local listener (median of 20 runs; each
/// event checked to carry its run's id); (2) whether 1,000 queued deliveries to a slow target (it answers after 2 s)
/// delay the API or runs: wrk's p99 on a page of 100 discrepancies and a run's duration, idle and with the backlog.
/// </summary>
public static class MonitoringBenchmark
{
    /// <param name="perTarget">Webhooks:PerTargetPerMinute; lift it to keep every webhook worker busy with the slow target.</param>
    public static async Task<int> RunAsync(int runs, int backlog, int seconds, int perTarget)
    {
        await using var service = await BenchService.StartAsync("monitoring-bench", workers: Environment.ProcessorCount,
            new Dictionary<string, string> { ["Webhooks__AllowPrivateTargets"] = "true", ["Webhooks__PerTargetPerMinute"] = perTarget.ToString() });
        using var fast = Listener.Start(TimeSpan.Zero);
        var (client, key) = await service.WorkspaceAsync();
        var data = SyntheticDataset.Generate(2000, seed: 42);
        await RunsBenchmark.IngestAsync(client, "store", data.Store);
        await RunsBenchmark.IngestAsync(client, "keap", data.Keap);
        await SubscribeAsync(client, fast.Url, "run.succeeded");
        Console.WriteLine($"monitoring: {Environment.ProcessorCount} cores; {data.Store.Count:N0} orders a side; Webhooks:PerTargetPerMinute {perTarget}; load average {BenchService.LoadAverage()}");

        // (1) Run end → webhook arrival, both read from this machine's clock.
        var latencies = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var run = await RunAsync(client);
            var id = run.GetProperty("id").GetString()!;
            var finished = run.GetProperty("finishedAt").GetDateTime().ToUniversalTime();
            var arrival = await fast.WaitForAsync(body => body.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            latencies.Add((arrival - finished).TotalMilliseconds);
        }
        latencies.Sort();
        Console.WriteLine($"  run end → run.succeeded delivered, {runs} runs: median {latencies[runs / 2]:F0} ms, p90 {latencies[(int)(runs * 0.9)]:F0} ms, max {latencies[^1]:F0} ms");

        // (2) Idle and with a backlog of deliveries to a target that takes 2 s to answer, interleaved three times: the
        // service keeps getting faster as it warms (JIT tiers, caches), so one idle-then-busy pair would flatter or blame the backlog.
        await RunsBenchmark.PageLatencyAsync(service.Process.BaseAddress, key, 20, 8, ", warm-up");
        using var slow = Listener.Start(TimeSpan.FromSeconds(2));
        var (other, _) = await service.WorkspaceAsync();
        await RunsBenchmark.IngestAsync(other, "store", data.Store.Take(100).ToList());
        await RunsBenchmark.IngestAsync(other, "keap", data.Keap.Take(100).ToList());
        const int subscriptions = 20;
        var ratios = new List<double>();
        for (var round = 1; round <= 3; round++)
        {
            var idleP99 = await RunsBenchmark.PageLatencyAsync(service.Process.BaseAddress, key, seconds, 8, $", round {round} idle");
            var idleRun = await TimedRunAsync(client);
            var hooks = new List<string>();
            for (var s = 0; s < subscriptions; s++)
                hooks.Add(await SubscribeAsync(other, $"{slow.Url}{s}", "run.succeeded"));
            var received = slow.Count;
            for (var r = 0; r < backlog / subscriptions; r++)
                await RunAsync(other);
            var busyP99 = await RunsBenchmark.PageLatencyAsync(service.Process.BaseAddress, key, seconds, 8, $", round {round} with {backlog} deliveries queued");
            var busyRun = await TimedRunAsync(client);
            Console.WriteLine($"    round {round}: run of {data.Store.Count:N0} × {data.Keap.Count:N0} idle {idleRun:F0} ms, with the backlog {busyRun:F0} ms; " +
                $"the slow target got {slow.Count - received} deliveries meanwhile; p99 ratio {busyP99 / idleP99:F2}");
            ratios.Add(busyP99 / idleP99);
            // Deleting the webhooks drops their pending deliveries: the next round starts idle.
            foreach (var hook in hooks)
                (await other.DeleteAsync($"/api/v1/webhooks/{hook}")).EnsureSuccessStatusCode();
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        ratios.Sort();
        Console.WriteLine($"  p99 with the backlog / idle, median of 3 rounds: {ratios[1]:F2} (rounds: {string.Join(", ", ratios.Select(r => r.ToString("F2")))}; target ≤ 1.5)");
        await YearOfMetricsAsync(service);
        Console.WriteLine($"  load average after: {BenchService.LoadAverage()}");
        return 0;
    }

    /// <summary>
    /// (3) A year of daily data: 100 store orders a day for 365 days (Keap lacks every 50th, and every 100th is 5.00 short),
    /// one run over the year, then GET /metrics/daily and /metrics/causes for the whole year, 50 times each.
    /// </summary>
    static async Task YearOfMetricsAsync(BenchService service)
    {
        var (client, _) = await service.WorkspaceAsync();
        var first = new DateTime(2025, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var store = new List<Engine.CanonicalOrder>();
        var keap = new List<Engine.CanonicalOrder>();
        for (var n = 0; n < 365 * 100; n++)
        {
            var at = first.AddDays(n / 100).AddMinutes(n % 100 * 14);
            var order = new Engine.CanonicalOrder
            {
                OrderId = $"S{n}", OrderNumber = $"#{n}", CustomerEmail = $"c{n}@example.com", OrderDate = at, Currency = "USD",
                Total = 50m + n % 7, Status = "paid",
            };
            store.Add(order);
            if (n % 50 != 7)
                keap.Add(order with { OrderId = $"K{n}", OrderNumber = $"Shopify Order #{n}", Status = "PAID", Total = n % 100 == 3 ? order.Total - 5 : order.Total });
        }
        await RunsBenchmark.IngestAsync(client, "store", store);
        await RunsBenchmark.IngestAsync(client, "keap", keap);
        var started = await client.PostAsJsonAsync("/api/v1/runs", new { from = first, to = first.AddDays(365) });
        JsonElement run;
        do
        {
            await Task.Delay(100);
            run = JsonDocument.Parse(await client.GetStringAsync(started.Headers.Location)).RootElement;
        }
        while (run.GetProperty("status").GetString() is "queued" or "running");
        var daily = $"/api/v1/metrics/daily?from={first:yyyy-MM-dd}&to={first.AddDays(364):yyyy-MM-dd}";
        var metrics = JsonDocument.Parse(await client.GetStringAsync(daily)).RootElement;
        if (metrics.GetProperty("days").GetArrayLength() != 365
            || metrics.GetProperty("totals").GetProperty("storeOrders").GetInt32() != run.GetProperty("window").GetProperty("storeOrders").GetInt32()
            || metrics.GetProperty("totals").GetProperty("matched").GetInt32() != run.GetProperty("matched").GetInt32())
            throw new InvalidOperationException($"The year's metrics do not add up with the run: {run}");
        Console.WriteLine($"  a year: {store.Count:N0} store orders, run found {run.GetProperty("discrepancies").GetInt32():N0} discrepancies; metrics add up with the run");
        foreach (var path in new[] { daily, daily.Replace("daily", "causes") })
        {
            var times = new List<double>();
            for (var i = 0; i < 55; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await client.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
                if (i >= 5)
                    times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"  GET {path.Split('?')[0]} over 365 days, one client, 50 requests: median {times[25]:F1} ms, p90 {times[45]:F1} ms, max {times[^1]:F1} ms");
        }
    }

    static async Task<string> SubscribeAsync(HttpClient client, string url, string type)
    {
        var response = await client.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { type } });
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /webhooks: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    static async Task<JsonElement> RunAsync(HttpClient client)
    {
        var started = await client.PostAsJsonAsync("/api/v1/runs", new { from = RunsBenchmark.From, to = RunsBenchmark.To });
        if (started.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /runs: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
        while (true)
        {
            var run = JsonDocument.Parse(await client.GetStringAsync(started.Headers.Location)).RootElement;
            var status = run.GetProperty("status").GetString();
            if (status == "succeeded")
                return run;
            if (status is not ("queued" or "running"))
                throw new InvalidOperationException($"The run did not succeed: {run}");
            await Task.Delay(20);
        }
    }

    static async Task<double> TimedRunAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        await RunAsync(client);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>An HTTP listener on 127.0.0.1 that notes when each request arrived and answers 200 after <c>delay</c>.</summary>
    sealed class Listener : IDisposable
    {
        readonly HttpListener listener = new();
        readonly ConcurrentQueue<(DateTime At, string Body)> received = new();
        readonly TimeSpan delay;

        Listener(TimeSpan delay, int port)
        {
            this.delay = delay;
            Url = $"http://127.0.0.1:{port}/hook/";
            listener.Prefixes.Add(Url);
        }

        public string Url { get; }
        public int Count => received.Count;

        public static Listener Start(TimeSpan delay)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new Listener(delay, port);
            listener.listener.Start();
            _ = Task.Run(listener.AcceptAsync);
            return listener;
        }

        async Task AcceptAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    var at = DateTime.UtcNow;
                    using var reader = new StreamReader(context.Request.InputStream);
                    received.Enqueue((at, await reader.ReadToEndAsync()));
                    if (delay > TimeSpan.Zero)
                        await Task.Delay(delay);
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                });
            }
        }

        public async Task<DateTime> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                foreach (var (at, body) in received)
                    if (match(body))
                        return at;
                await Task.Delay(5);
            }
            throw new TimeoutException("The webhook never arrived.");
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
        }
    }
}
