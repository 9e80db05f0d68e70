using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using Xunit.Sdk;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// A run killed midway (the process killed, not stopped) completes after a restart, and its
/// findings are saved exactly once. The service runs as a child process on a SQLite file of its own.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string AdminKey = "crash-test-admin-key-0123456789abcdef";
    static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    /// <summary>(category, orderKey) of every discrepancy the orders below must produce, once each.</summary>
    static readonly (string Category, string OrderKey)[] Expected =
    [
        ("amount_mismatch", "2002"),
        ("missing_in_keap", "2003"),
        ("missing_in_keap", "2004"),
        ("missing_in_keap", "2005"),
    ];

    readonly string databasePath = Path.Combine(Path.GetTempPath(), "reconcile-tests", $"crash-{Guid.NewGuid():N}.db");
    readonly List<ServiceProcess> services = [];
    readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var service in services)
            await service.DisposeAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(databasePath + suffix);
    }

    [Fact]
    public Task Run_KilledWhileMatching_CompletesAfterRestart_WithoutDuplicatedResults() => WithChildLogs(KillMidRunThenRestartAsync);

    /// <summary>A failure carries the children's output: what they logged explains what the test saw.</summary>
    async Task WithChildLogs(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception e) when (e is not ChildLogsAttached)
        {
            throw new ChildLogsAttached(e, string.Join("\n\n", services.Select(s => s.Log)));
        }
    }

    async Task KillMidRunThenRestartAsync()
    {
        // 1. A service whose job pauses in phase "matching", before anything is saved.
        var first = await StartAsync("first", pauseBeforeMatchingMs: 60_000);
        string apiKey;
        string location;
        using (var admin = first.CreateClient(AdminKey))
        {
            var created = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Crash recovery" }, ApiFactory.Json);
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            apiKey = (await created.Json()).GetProperty("apiKey").GetString()!;
        }
        using (var client = first.CreateClient(apiKey))
        {
            await client.IngestAsync("store", new[]
            {
                Order("S1", "#2001", 10m, date: Day),
                Order("S2", "#2002", 20m, date: Day),
                Order("S3", "#2003", 30m, date: Day.AddDays(-1)),
                Order("S4", "#2004", 40m, date: Day.AddDays(-1)),
                Order("S5", "#2005", 50m, date: Day.AddDays(-1)),
            });
            await client.IngestAsync("keap", new[]
            {
                Order("K1", "#2001", 10m, date: Day),
                Order("K2", "#2002", 25m, date: Day),
            });

            var started = await client.PostAsJsonAsync("/api/v1/runs", Window, ApiFactory.Json);
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            location = started.Headers.Location!.ToString();

            var matching = await PollRunAsync(client, location, "running in phase matching",
                run => Status(run) == "running" && run.GetProperty("progress").GetProperty("phase").GetString() == "matching");
            Assert.Equal(7, matching.GetProperty("progress").GetProperty("total").GetInt32());
            Assert.Empty(await client.DiscrepanciesAsync("?state=all"));
            Note("run is running in phase matching");
        }

        // 2. Killed mid-run: no graceful shutdown, the open work is simply gone.
        Assert.False(first.HasExited, "The first service exited before it was killed.");
        await first.KillAsync();
        Note("first service killed");

        // 3. Restarted without the pause: the start-up pass re-enqueues the interrupted run.
        var second = await StartAsync("second", pauseBeforeMatchingMs: null);
        using (var client = second.CreateClient(apiKey))
        {
            var run = await PollRunAsync(client, location, "finished", run => Status(run) is not ("queued" or "running"));
            Assert.True(Status(run) == "succeeded", $"The resumed run ended {Status(run)}: {run}");
            Note("resumed run succeeded");
            await WaitForLogAsync(second, "Re-enqueued 1 interrupted run(s)");
            var runId = run.GetProperty("id").GetGuid();
            Assert.Equal(Expected.Length, run.GetProperty("discrepancies").GetInt32());
            Assert.Equal(Expected.Length, run.GetProperty("newDiscrepancies").GetInt32());
            Assert.Equal(0, run.GetProperty("persistingDiscrepancies").GetInt32());
            Assert.Equal(5, run.GetProperty("storeOrders").GetInt32());
            Assert.Equal(2, run.GetProperty("keapOrders").GetInt32());
            AssertByCategory(run);

            var all = await ListAllAsync(client, "/api/v1/discrepancies?state=all&limit=500");
            AssertExactlyExpected(all, occurrences: 1);
            Assert.All(all, d =>
            {
                Assert.Equal(runId, d.GetProperty("firstSeenRunId").GetGuid());
                Assert.Equal(runId, d.GetProperty("lastSeenRunId").GetGuid());
            });
            AssertExactlyExpected(await ListAllAsync(client, $"/api/v1/runs/{runId}/discrepancies?state=all&limit=500"), occurrences: 1);
            foreach (var d in all)
            {
                var history = (await (await client.GetAsync($"/api/v1/discrepancies/{d.GetProperty("id").GetInt64()}/history")).Json())
                    .EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
                Assert.Equal(["created"], history);
            }
            var ids = all.Select(d => d.GetProperty("id").GetInt64()).ToHashSet();

            // 4. A second run on the restarted service finds the same discrepancies again: persisting, not new.
            var next = await client.PostAsJsonAsync("/api/v1/runs", Window, ApiFactory.Json);
            Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
            var again = await PollRunAsync(client, next.Headers.Location!.ToString(), "finished", r => Status(r) is not ("queued" or "running"));
            Assert.True(Status(again) == "succeeded", $"The second run ended {Status(again)}: {again}");
            Assert.Equal(0, again.GetProperty("newDiscrepancies").GetInt32());
            Assert.Equal(Expected.Length, again.GetProperty("persistingDiscrepancies").GetInt32());
            Assert.Equal(0, again.GetProperty("autoResolved").GetInt32());
            AssertByCategory(again);
            Note("second run succeeded");

            var afterSecond = await ListAllAsync(client, "/api/v1/discrepancies?state=all&limit=500");
            AssertExactlyExpected(afterSecond, occurrences: 2);
            Assert.Equal(ids, afterSecond.Select(d => d.GetProperty("id").GetInt64()).ToHashSet());
        }
    }

    [Fact]
    public Task Ingest_KilledAfterItsBatchCommitted_IsReplayedAfterRestart_AndADeadRequestsClaimDoesNotLockItsKey() =>
        WithChildLogs(KillAfterIngestCommitThenRestartAsync);

    async Task KillAfterIngestCommitThenRestartAsync()
    {
        // 1. A service whose ingest holds after its batch is committed, before the answer leaves.
        var first = await StartAsync("first", pauseBeforeMatchingMs: null, pauseAfterIngestMs: 60_000);
        string apiKey;
        Guid workspaceId;
        using (var admin = first.CreateClient(AdminKey))
        {
            var created = await (await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Crash idempotency" }, ApiFactory.Json)).Json();
            (apiKey, workspaceId) = (created.GetProperty("apiKey").GetString()!, created.GetProperty("id").GetGuid());
        }
        var orders = new[] { Order("S1", "#3001", 10m, date: Day), Order("S2", "#3002", 20m, date: Day) };
        HttpRequestMessage Ingest()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources/store/orders") { Content = JsonContent.Create(orders, options: ApiFactory.Json) };
            request.Headers.Add("Idempotency-Key", "crash-ingest-1");
            return request;
        }
        using (var client = first.CreateClient(apiKey))
        {
            var unanswered = client.SendAsync(Ingest());
            _ = unanswered.ContinueWith(t => t.Exception, TaskScheduler.Default);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((await client.GetAsync("/api/v1/sources/store/orders/S1")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, "The ingest never committed.");
                await Task.Delay(100);
            }
            Note("ingest committed, answer held");
        }
        await first.KillAsync();
        Note("first service killed");

        // 2. A quick endpoint's claim whose request died with the process (as if killed between claim and answer).
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath}"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO IdempotencyRecords (WorkspaceId, Key, RequestHash, CreatedAt) VALUES ($w, 'crash-run-1', 'x', $at)";
            insert.Parameters.AddWithValue("$w", workspaceId.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$at", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync();
        }

        // 3. After a restart the retry replays the committed answer, and the dead claim locks nothing.
        var second = await StartAsync("second", pauseBeforeMatchingMs: null);
        using (var client = second.CreateClient(apiKey))
        {
            var retry = await client.SendAsync(Ingest());
            Assert.True(retry.StatusCode == HttpStatusCode.Created, await retry.Content.ReadAsStringAsync());
            Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
            var receipt = await retry.Json();
            Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
            var stored = await (await client.GetAsync("/api/v1/sources/store/orders/S1")).Json();
            Assert.Equal(receipt.GetProperty("batchId").GetGuid(), stored.GetProperty("batchId").GetGuid());
            Assert.Equal(1, stored.GetProperty("version").GetInt32());
            Note("retry replayed the committed receipt");

            var run = new HttpRequestMessage(HttpMethod.Post, "/api/v1/runs") { Content = JsonContent.Create(Window, options: ApiFactory.Json) };
            run.Headers.Add("Idempotency-Key", "crash-run-1");
            var started = await client.SendAsync(run);
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            await WaitForLogAsync(second, "Forgot 1 idempotency claim(s)");
        }
    }

    [Fact]
    public Task Run_KilledWithItsResultsWrittenButNotCommitted_IsRunAgain_WithoutDoubleCountsOrHistory() => WithChildLogs(KillMidSaveThenRestartAsync);

    /// <summary>
    /// A second run that resolves one finding and sees three again is killed while its writes sit in its open transaction
    /// (the sixth probe): after the restart it runs again and the workspace reads as if it had run once — occurrences 2,
    /// one verified_fixed, one history entry each, the run's own counts those of one pass.
    /// </summary>
    async Task KillMidSaveThenRestartAsync()
    {
        var first = await StartAsync("first", pauseBeforeMatchingMs: null);
        string apiKey;
        using (var admin = first.CreateClient(AdminKey))
            apiKey = (await (await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Crash save" }, ApiFactory.Json)).Json()).GetProperty("apiKey").GetString()!;
        using (var client = first.CreateClient(apiKey))
        {
            await client.IngestAsync("store", new[]
            {
                Order("S1", "#2001", 10m, date: Day), Order("S2", "#2002", 20m, date: Day), Order("S3", "#2003", 30m, date: Day.AddDays(-1)),
                Order("S4", "#2004", 40m, date: Day.AddDays(-1)), Order("S5", "#2005", 50m, date: Day.AddDays(-1)),
            });
            await client.IngestAsync("keap", new[] { Order("K1", "#2001", 10m, date: Day), Order("K2", "#2002", 25m, date: Day) });
            var firstRun = await PollRunAsync(client, (await client.PostAsJsonAsync("/api/v1/runs", Window, ApiFactory.Json)).Headers.Location!.ToString(),
                "finished", r => Status(r) is not ("queued" or "running"));
            Assert.Equal("succeeded", Status(firstRun));
            // Keap receives 2003: the next run resolves that finding and sees the other three again.
            await client.IngestAsync("keap", new[] { Order("K3", "#2003", 30m, date: Day.AddDays(-1)) });
        }
        await first.KillAsync();

        var pausing = await StartAsync("pausing", pauseBeforeMatchingMs: null, pauseWhileSavingMs: 60_000);
        string location;
        using (var client = pausing.CreateClient(apiKey))
        {
            var started = await client.PostAsJsonAsync("/api/v1/runs", Window, ApiFactory.Json);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            location = started.Headers.Location!.ToString();
            await WaitForLogAsync(pausing, "holds while saving");
            Note("second run holds with its results written, uncommitted");
        }
        await pausing.KillAsync();
        Note("pausing service killed mid-save");

        var third = await StartAsync("third", pauseBeforeMatchingMs: null);
        using (var client = third.CreateClient(apiKey))
        {
            var run = await PollRunAsync(client, location, "finished", r => Status(r) is not ("queued" or "running"));
            Assert.True(Status(run) == "succeeded", $"The resumed run ended {Status(run)}: {run}");
            Assert.Equal(0, run.GetProperty("newDiscrepancies").GetInt32());
            Assert.Equal(3, run.GetProperty("persistingDiscrepancies").GetInt32());
            Assert.Equal(1, run.GetProperty("autoResolved").GetInt32());
            Assert.Equal(3, run.GetProperty("discrepancies").GetInt32());

            var all = await ListAllAsync(client, "/api/v1/discrepancies?state=all&limit=500");
            Assert.Equal(4, all.Count);
            foreach (var d in all)
            {
                var key = d.GetProperty("orderKey").GetString();
                var history = (await (await client.GetAsync($"/api/v1/discrepancies/{d.GetProperty("id").GetInt64()}/history")).Json())
                    .EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
                if (key == "2003")
                {
                    Assert.Equal("resolved", d.GetProperty("state").GetString());
                    Assert.Equal(1, d.GetProperty("occurrences").GetInt32());
                    Assert.Equal(2, history.Count);
                }
                else
                {
                    Assert.Equal("open", d.GetProperty("state").GetString());
                    Assert.Equal(2, d.GetProperty("occurrences").GetInt32());
                    Assert.Equal(["created"], history);
                }
            }
            var pending = await (await client.GetAsync($"{location}/pending?limit=1000")).Json();
            Assert.Equal(run.GetProperty("pending").GetInt32(), pending.GetProperty("items").GetArrayLength());
        }
    }

    [Fact]
    public Task Webhook_KilledWhileItsRequestIsOut_IsSentAgainByTheNextProcess_UnderTheSameId() => WithChildLogs(KillMidDeliveryThenRestartAsync);

    /// <summary>
    /// The process dies while a delivery's request is out (the receiver has it, the answer has not come back): the next process
    /// sends it again once the attempt counts as lost (a minute after it began), with the same webhook-id, so the receiver
    /// can tell the copy, and the log ends succeeded (the sixth probe: at least once, not lost).
    /// </summary>
    async Task KillMidDeliveryThenRestartAsync()
    {
        await using var receiver = await WebhookReceiver.StartAsync(answerAfter: TimeSpan.FromSeconds(8));
        var first = await StartAsync("first", pauseBeforeMatchingMs: null);
        string apiKey;
        using (var admin = first.CreateClient(AdminKey))
            apiKey = (await (await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Crash webhook" }, ApiFactory.Json)).Json()).GetProperty("apiKey").GetString()!;
        string webhookId;
        using (var client = first.CreateClient(apiKey))
        {
            var created = await client.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = new[] { "run.succeeded" } }, ApiFactory.Json);
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            webhookId = (await created.Json()).GetProperty("id").GetString()!;
            await client.IngestAsync("store", new[] { Order("S1", "#4001", 10m, date: Day) });
            await client.PostAsJsonAsync("/api/v1/runs", Window, ApiFactory.Json);
            await receiver.WaitForAsync(1);
            Note("the receiver has the request; its answer is 8 s away");
        }
        await first.KillAsync();
        Note("first service killed mid-delivery");

        var second = await StartAsync("second", pauseBeforeMatchingMs: null);
        var received = await WaitForAsync(receiver, 2, TimeSpan.FromSeconds(100));
        Note("the next process sent it again");
        Assert.Equal(received[0].Header("webhook-id"), received[1].Header("webhook-id"));
        Assert.Equal(received[0].Body, received[1].Body);
        using (var client = second.CreateClient(apiKey))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            JsonElement delivery;
            do
            {
                await Task.Delay(200);
                delivery = Assert.Single((await (await client.GetAsync($"/api/v1/webhooks/{webhookId}/deliveries")).Json()).GetProperty("items").EnumerateArray());
            }
            while (delivery.GetProperty("status").GetString() != "succeeded" && DateTime.UtcNow < deadline);
            Assert.Equal("succeeded", delivery.GetProperty("status").GetString());
        }
        await Task.Delay(1000);
        Assert.Equal(2, receiver.Received.Count);
    }

    static async Task<List<ReceivedRequest>> WaitForAsync(WebhookReceiver receiver, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (receiver.Received.Count < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The receiver got {receiver.Received.Count} of {count} requests within {timeout.TotalSeconds} s.");
            await Task.Delay(100);
        }
        return receiver.Received.ToList();
    }

    /// <summary>
    /// The service as a child process; with a pause, the test host (its checkpoints replaced) whose runs hold
    /// before matching, or whose ingests hold after their commit.
    /// </summary>
    async Task<ServiceProcess> StartAsync(string name, int? pauseBeforeMatchingMs, int? pauseAfterIngestMs = null, int? pauseWhileSavingMs = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__Reconcile"] = $"Data Source={databasePath}",
            ["Auth__AdminKey"] = AdminKey,
            ["Jobs__WorkerCount"] = "2",
            // The webhook test's receiver listens on 127.0.0.1.
            ["Webhooks__AllowPrivateTargets"] = "true",
        };
        if (pauseBeforeMatchingMs is { } ms)
            environment["RECONCILE_TEST_PAUSE_MS"] = ms.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (pauseAfterIngestMs is { } ingestMs)
            environment["RECONCILE_TEST_INGEST_PAUSE_MS"] = ingestMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (pauseWhileSavingMs is { } saveMs)
            environment["RECONCILE_TEST_SAVE_PAUSE_MS"] = saveMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var testHost = pauseBeforeMatchingMs is not null || pauseAfterIngestMs is not null || pauseWhileSavingMs is not null;
        var service = await ServiceProcess.StartAsync(name, environment, testHost ? "ReconcileApi.TestHost.dll" : "ReconcileApi.dll");
        services.Add(service);
        Note($"{name} service listening on {service.BaseAddress}");
        return service;
    }

    void Note(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    /// <summary>The start-up pass logs what it re-enqueued; the console logger writes asynchronously.</summary>
    static async Task WaitForLogAsync(ServiceProcess service, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!service.Log.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"The {text.Split(' ')[0]} line never appeared: expected \"{text}\" in the service output.");
            await Task.Delay(100);
        }
    }

    static string? Status(JsonElement run) => run.GetProperty("status").GetString();

    static async Task<JsonElement> PollRunAsync(HttpClient client, string location, string what, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        JsonElement run = default;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync(location);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {location}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            run = await response.Json();
            if (done(run))
                return run;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Run {location} was not {what} within {RunTimeout.TotalSeconds} s; last seen: {run}");
    }

    /// <summary>Every page of a discrepancy list (the list is cursor paged).</summary>
    static async Task<List<JsonElement>> ListAllAsync(HttpClient client, string path)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var response = await client.GetAsync(cursor is null ? path : $"{path}&cursor={Uri.EscapeDataString(cursor)}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var page = await response.Json();
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        } while (cursor is not null);
        return items;
    }

    static void AssertExactlyExpected(List<JsonElement> discrepancies, int occurrences)
    {
        var found = discrepancies
            .Select(d => (Category: d.GetProperty("category").GetString()!, OrderKey: d.GetProperty("orderKey").GetString()!))
            .OrderBy(x => x.Category, StringComparer.Ordinal).ThenBy(x => x.OrderKey, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(Expected, found);
        Assert.Equal(discrepancies.Count, discrepancies.Select(d => d.GetProperty("id").GetInt64()).Distinct().Count());
        Assert.All(discrepancies, d => Assert.Equal(occurrences, d.GetProperty("occurrences").GetInt32()));
    }

    static void AssertByCategory(JsonElement run)
    {
        var byCategory = run.GetProperty("byCategory").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        var expected = Expected.GroupBy(e => e.Category).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(p => p.Key), byCategory.OrderBy(p => p.Key));
    }

    /// <summary>A failure with the children's output appended, so a red run explains itself.</summary>
    sealed class ChildLogsAttached(Exception inner, string logs)
        : XunitException($"{inner.Message}\n\n{logs}", inner);
}
