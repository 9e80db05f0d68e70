using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Features.Runs;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #11: alert rules fire once per condition, clear when it stops holding, and are listed and acknowledged.</summary>
public sealed class AlertsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static async Task<List<JsonElement>> AlertsAsync(WorkspaceClient ws, string query = "")
    {
        var page = await (await ws.Http.GetAsync("/api/v1/alerts" + query)).Json();
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    static async Task PutRulesAsync(WorkspaceClient ws, params object[] rules)
    {
        var response = await ws.Http.PutAsJsonAsync("/api/v1/alert-rules", new { rules });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls until the workspace's alerts satisfy <paramref name="done"/> (some are raised by a job after the request).</summary>
    static async Task<List<JsonElement>> WaitForAlertsAsync(WorkspaceClient ws, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var alerts = await AlertsAsync(ws);
            if (done(alerts))
                return alerts;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Alerts never reached the expected state: " + string.Join(", ", alerts));
            await Task.Delay(50);
        }
    }

    /// <summary>Alerts and webhook events follow a run's end: waits until the run is announced.</summary>
    static async Task WaitForNotifiedAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> host, JsonElement run)
    {
        var id = Guid.Parse(run.Str("id"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using (var scope = host.Services.CreateAsyncScope())
                if (await scope.ServiceProvider.GetRequiredService<ReconcileApi.Data.ReconcileDbContext>().Runs.AnyAsync(r => r.Id == id && r.NotifiedAt != null))
                    return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Run {id} was never announced");
            await Task.Delay(25);
        }
    }

    Task<JsonElement> RunAndNotifyAsync(WorkspaceClient ws, object window) => RunAndNotifyAsync(factory, ws, window);

    static async Task<JsonElement> RunAndNotifyAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> host, WorkspaceClient ws, object window)
    {
        var run = await ws.Http.RunAsync(window);
        await WaitForNotifiedAsync(host, run);
        return run;
    }

    [Fact]
    public async Task AlertRules_ReadReplacedAndValidated()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/alert-rules")).Json()).GetProperty("rules").GetArrayLength());
        await PutRulesAsync(ws, new { rule = "match_rate_below", threshold = 0.95 }, new { rule = "new_discrepancies_above", threshold = 0, category = "missing_in_keap" });
        var rules = (await (await ws.Http.GetAsync("/api/v1/alert-rules")).Json()).GetProperty("rules");
        Assert.Equal(2, rules.GetArrayLength());
        Assert.Equal("missing_in_keap", rules[1].Str("category"));

        foreach (var (badRules, field, says) in new (object[], string, string)[]
        {
            ([new { rule = "impact_above" }], "rules[0].threshold", "amount of money"),
            ([new { rule = "impact_above", threshold = 5 }, new { rule = "run_failed", hours = 3 }], "rules[1].hours", "Only side_silent"),
            ([new { rule = "side_silent", hours = 0 }], "rules[0].hours", "between 1 and"),
            ([new { rule = "match_rate_below", threshold = 0.9, category = "missing_in_keap" }], "rules[0].category", "Only new_discrepancies_above"),
        })
        {
            var bad = await ws.Http.PutAsJsonAsync("/api/v1/alert-rules", new { rules = badRules });
            await bad.AssertProblemAsync(HttpStatusCode.BadRequest);
            var errors = (await bad.Json()).GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), errors.ToString());
            Assert.Contains(says, messages[0].GetString());
        }
        var twice = await ws.Http.PutAsJsonAsync("/api/v1/alert-rules", new { rules = new object[] { new { rule = "run_failed" }, new { rule = "run_failed" } } });
        await twice.AssertProblemAsync(HttpStatusCode.BadRequest);
        var unknown = await ws.Http.PutAsync("/api/v1/alert-rules", JsonBody("""{"rules": [{"rule": "cpu_above"}]}"""));
        await unknown.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MatchRateRule_FiresOnceWhileTheConditionHolds_ClearsWhenItStops_AndFiresAgainWhenItReturns()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await PutRulesAsync(ws, new { rule = "match_rate_below", threshold = 0.9 });
        await IngestMixAsync(ws); // 1002 never reached Keap: 2 of 3 store orders matched (plus the anchor: 3 of 4)
        for (var i = 0; i < 3; i++)
            Assert.Equal("succeeded", (await RunAndNotifyAsync(ws, Window)).Str("status"));
        var alerts = await AlertsAsync(ws);
        var alert = Assert.Single(alerts);
        Assert.Equal("match_rate_below", alert.Str("rule"));
        Assert.Equal("open", alert.Str("status"));
        Assert.Equal(0.75m, alert.GetProperty("value").GetDecimal());
        Assert.Equal(0.9m, alert.GetProperty("threshold").GetDecimal());
        Assert.Contains("75.0", alert.Str("message"));

        // 1002 reaches Keap: the next run clears the alert; no new one.
        await ws.Http.IngestAsync("keap", new[] { Order("K2", "Shopify Order #1002", 70m, "PAID", email: "lost@example.com", date: Day) });
        await RunAndNotifyAsync(ws, Window);
        alert = Assert.Single(await AlertsAsync(ws));
        Assert.Equal("cleared", alert.Str("status"));
        Assert.NotEqual(JsonValueKind.Null, alert.GetProperty("clearedAt").ValueKind);
        Assert.Empty(await AlertsAsync(ws, "?status=open"));

        // The condition returns: a new alert, listed first.
        await ws.Http.IngestAsync("store", new[] { Order("S8", "#1008", 20m, date: Day), Order("S9", "#1009", 20m, date: Day) });
        await RunAndNotifyAsync(ws, Window);
        alerts = await AlertsAsync(ws);
        Assert.Equal(["open", "cleared"], alerts.Select(a => a.Str("status")));
        Assert.True(alerts[0].GetProperty("id").GetInt64() > alerts[1].GetProperty("id").GetInt64());

        // The status filter reads as every list's: empty entries ignored, a list with none left (or both statuses) is no filter.
        foreach (var query in new[] { "?status=", "?status=,", "?status=open,cleared" })
            Assert.Equal(["open", "cleared"], (await AlertsAsync(ws, query)).Select(a => a.Str("status")));
        Assert.Equal(["open"], (await AlertsAsync(ws, "?status=open,,")).Select(a => a.Str("status")));
        Assert.Equal(["cleared"], (await AlertsAsync(ws, "?status=,cleared")).Select(a => a.Str("status")));
    }

    [Fact]
    public async Task ConcurrentAcknowledgements_StoreTheFirst_AndEveryCallerIsAnsweredWithIt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await PutRulesAsync(ws, new { rule = "match_rate_below", threshold = 0.9 });
        await IngestMixAsync(ws);
        await RunAndNotifyAsync(ws, Window);
        var id = Assert.Single(await AlertsAsync(ws)).GetProperty("id").GetInt64();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ws.Http.PostAsJsonAsync($"/api/v1/alerts/{id}/acknowledge", new { by = $"u{i}" })));

        // One acknowledgement is stored; the others are repeats, answered with what is stored, not with their own name.
        var stored = Assert.Single(await AlertsAsync(ws));
        Assert.True(stored.GetProperty("acknowledged").GetBoolean());
        Assert.Matches("^u[0-7]$", stored.Str("acknowledgedBy"));
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Json();
            Assert.Equal(stored.Str("acknowledgedBy"), body.Str("acknowledgedBy"));
            Assert.Equal(stored.GetProperty("acknowledgedAt").GetDateTime(), body.GetProperty("acknowledgedAt").GetDateTime());
        }
    }

    [Fact]
    public async Task DeadKeapSide_RaisesSideSilentOnceFromIngest_AndClearsWhenKeapOrdersArriveAgain()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await PutRulesAsync(ws, new { rule = "side_silent", hours = 24 });
        var now = ApiFactory.Start.UtcDateTime;
        // Keap's last order is three days old; the store keeps selling. No run, no schedule.
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 10m, "PAID", date: now.AddDays(-3)) });
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 10m, date: now.AddDays(-3)), Order("S2", "#1002", 10m, date: now.AddHours(-2)) });
        var alerts = await WaitForAlertsAsync(ws, a => a.Count > 0);
        var alert = Assert.Single(alerts);
        Assert.Equal("side_silent", alert.Str("rule"));
        Assert.StartsWith("Keap has received no order for 72", alert.Str("message"));
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("runId").ValueKind);

        // More store orders, and a run: still the one alert.
        await ws.Http.IngestAsync("store", new[] { Order("S3", "#1003", 10m, date: now.AddHours(-1)) });
        await RunAndNotifyAsync(ws, new { from = now.AddDays(-5), to = now });
        Assert.Single(await AlertsAsync(ws));

        // The sync comes back.
        await ws.Http.IngestAsync("keap", new[] { Order("K3", "Shopify Order #1003", 10m, "PAID", date: now.AddMinutes(-30)) });
        alerts = await WaitForAlertsAsync(ws, a => a.All(x => x.Str("status") == "cleared"));
        Assert.Single(alerts);
    }

    /// <summary>The vendors' own payloads (Shopify REST orders, Keap REST v1 orders) with every date moved to <paramref name="at"/>.</summary>
    static async Task IngestVendorOrdersAsync(WorkspaceClient ws, string source, string format, string fixture, DateTime at)
    {
        var json = System.Text.RegularExpressions.Regex.Replace(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Formats", "Fixtures", fixture)),
            @"""\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})""", $"\"{at:yyyy-MM-ddTHH:mm:ssZ}\"");
        var response = await ws.Http.PostAsync($"/api/v1/sources/{source}/orders?format={format}", JsonBody(json));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.True(receipt.GetProperty("inserted").GetInt32() + receipt.GetProperty("updated").GetInt32() > 0);
    }

    [Fact]
    public async Task SideSilent_OnTheVendorsOwnPayloads_FiresForADeadKeapSync_AndNotWhileBothSidesSell()
    {
        var now = ApiFactory.Start.UtcDateTime;
        // Clean: Shopify and Keap both have orders from two hours ago — nothing is silent.
        // The rule comes after both sides' orders: a check between the two ingests would see one side with none yet.
        using var live = await factory.CreateWorkspaceAsync();
        await IngestVendorOrdersAsync(live, "keap", "keap", "keap-v1-orders.json", now.AddHours(-2));
        await IngestVendorOrdersAsync(live, "store", "shopify", "shopify-orders.json", now.AddHours(-3));
        await PutRulesAsync(live, new { rule = "side_silent", hours = 24 });
        await IngestVendorOrdersAsync(live, "store", "shopify", "shopify-orders.json", now.AddHours(-2));
        await factory.WaitForSilenceChecksAsync(live.WorkspaceId);
        Assert.Empty(await AlertsAsync(live));

        // Keap's last orders are three days old while Shopify's keep coming: the sync into Keap died.
        using var dead = await factory.CreateWorkspaceAsync();
        await PutRulesAsync(dead, new { rule = "side_silent", hours = 24 });
        await IngestVendorOrdersAsync(dead, "keap", "keap", "keap-v1-orders.json", now.AddDays(-3));
        await IngestVendorOrdersAsync(dead, "store", "shopify", "shopify-orders.json", now.AddHours(-2));
        var alert = Assert.Single(await WaitForAlertsAsync(dead, a => a.Count > 0));
        Assert.StartsWith("Keap has received no order for 72", alert.Str("message"));
    }

    [Fact]
    public async Task NewDiscrepanciesRule_OfAScheduleAndACategory_FiresForThatSchedulesRun()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestMixAsync(ws);
        var schedule = await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = "Daily", cron = "0 6 * * *", windowDays = 10,
            alerts = new object[] { new { rule = "new_discrepancies_above", threshold = 0, category = "missing_in_keap" }, new { rule = "new_discrepancies_above", threshold = 5 } },
        })).Json();
        var triggered = await ws.Http.PostAsync($"/api/v1/schedules/{schedule.Str("id")}/trigger", null);
        await WaitForNotifiedAsync(factory, await ws.Http.WaitForRunAsync(triggered.Headers.Location!.ToString()));
        var alert = Assert.Single(await AlertsAsync(ws)); // 3 new findings: 1 missing in Keap (> 0) but not more than 5 in all
        Assert.Equal("new_discrepancies_above", alert.Str("rule"));
        Assert.Equal(schedule.Str("id"), alert.Str("scheduleId"));
        Assert.Equal((await triggered.Json()).Str("id"), alert.Str("runId"));
        Assert.Equal(1m, alert.GetProperty("value").GetDecimal());

        // A run started by hand is not the schedule's: its rules are not checked (the workspace has none).
        await RunAndNotifyAsync(ws, Window);
        Assert.Single(await AlertsAsync(ws));
    }

    [Fact]
    public async Task RunFailedRule_FiresWhenARunFails_AndAlertsAreAcknowledged()
    {
        var checkpoints = new FailingCheckpoints();
        using var failing = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<RunCheckpoints>(checkpoints)));
        using var ws = await failing.CreateWorkspaceAsync();
        await PutRulesAsync(ws, new { rule = "run_failed" });
        await IngestMixAsync(ws);
        checkpoints.Fail = true;
        Assert.Equal("failed", (await RunAndNotifyAsync(failing, ws, Window)).Str("status"));
        var alert = Assert.Single(await AlertsAsync(ws));
        Assert.Equal("run_failed", alert.Str("rule"));
        Assert.False(alert.GetProperty("acknowledged").GetBoolean());

        var id = alert.GetProperty("id").GetInt64();
        var acknowledged = await ws.Http.PostAsJsonAsync($"/api/v1/alerts/{id}/acknowledge", new { by = "ana@example.com" });
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        var body = await acknowledged.Json();
        Assert.True(body.GetProperty("acknowledged").GetBoolean());
        Assert.Equal("ana@example.com", body.Str("acknowledgedBy"));
        Assert.Equal("open", body.Str("status")); // seen, not fixed
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PostAsync($"/api/v1/alerts/{id}/acknowledge", null)).StatusCode);

        using var other = await failing.CreateWorkspaceAsync();
        await (await other.Http.PostAsync($"/api/v1/alerts/{id}/acknowledge", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await AlertsAsync(other));

        checkpoints.Fail = false;
        Assert.Equal("succeeded", (await RunAndNotifyAsync(failing, ws, Window)).Str("status"));
        Assert.Equal("cleared", Assert.Single(await AlertsAsync(ws)).Str("status"));
        await (await ws.Http.GetAsync("/api/v1/alerts?status=sometimes")).AssertProblemAsync(HttpStatusCode.BadRequest, "status");
        await (await ws.Http.GetAsync("/api/v1/alerts?cursor=abc")).AssertProblemAsync(HttpStatusCode.BadRequest, "cursor");
    }

    [Fact]
    public async Task ARunThatEndedButWasNotAnnounced_IsAnnouncedAfterARestart()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await PutRulesAsync(ws, new { rule = "new_discrepancies_above", threshold = 0 });
        await IngestMixAsync(ws);
        var run = await RunAndNotifyAsync(ws, Window);
        // As if the process died after the run's commit, before its alerts and events.
        var id = Guid.Parse(run.Str("id"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileApi.Data.ReconcileDbContext>();
            await db.Alerts.Where(a => a.WorkspaceId == ws.WorkspaceId).ExecuteDeleteAsync();
            await db.Runs.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.NotifiedAt, (DateTime?)null));
        }
        Assert.Empty(await AlertsAsync(ws));

        using var restarted = factory.WithWebHostBuilder(_ => { });
        await WaitForNotifiedAsync(restarted, run);
        Assert.Equal(run.Str("id"), Assert.Single(await AlertsAsync(ws)).Str("runId"));
    }

    sealed class FailingCheckpoints : RunCheckpoints
    {
        public volatile bool Fail;

        public override Task BeforeMatchingAsync(Guid runId, CancellationToken ct) =>
            Fail ? throw new InvalidOperationException("Injected failure") : Task.CompletedTask;
    }
}
