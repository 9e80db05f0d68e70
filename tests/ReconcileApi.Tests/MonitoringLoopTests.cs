using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Features.Schedules;
using ReconcileApi.Features.Webhooks;
using StandardWebhooks;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// Issue #11 end to end: a schedule fires, its run ends, and the subscriber hears it — signed, with flat fields that
/// match the run, the new findings and the alert the run opened.
/// </summary>
public sealed class MonitoringLoopTests(WebhookFactory factory) : IClassFixture<WebhookFactory>
{
    static void AssertSigned(ReceivedRequest request, string secret)
    {
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(request.Header("webhook-timestamp")!));
        Assert.Equal(new StandardWebhook(secret).Sign(request.Header("webhook-id"), timestamp, request.Body), request.Header("webhook-signature"));
    }

    [Fact]
    public async Task AScheduledRun_IsAnnouncedToTheSubscriber_SignedWithTheRunsNumbersItsNewFindingsAndItsAlert()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ws = await factory.CreateWorkspaceAsync();
        var subscribed = await (await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = WebhookEventTypes.All })).Json();
        var secret = subscribed.Str("secret");
        await IngestMixAsync(ws);
        var schedule = await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = "Morning check", cron = "0 6 * * *", windowDays = 10,
            alerts = new object[] { new { rule = "new_discrepancies_above", threshold = 0 } },
        })).Json();

        // Hangfire fires the schedule's recurring job, as its scheduler does at the cron time.
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(Schedules.JobId(Guid.Parse(schedule.Str("id"))));
        var requests = await receiver.WaitForAsync(3);
        await Task.Delay(300);
        Assert.Equal(3, receiver.Received.Count);
        var byType = requests.ToDictionary(r => JsonDocument.Parse(r.Body).RootElement.Str("type"));
        Assert.Equal(["alert.triggered", "discrepancy.created", "run.succeeded"], byType.Keys.Order());
        Assert.All(requests, r => AssertSigned(r, secret));
        Assert.Equal(3, requests.Select(r => r.Header("webhook-id")).Distinct().Count());

        var succeeded = JsonDocument.Parse(byType["run.succeeded"].Body).RootElement.GetProperty("data");
        var run = await (await ws.Http.GetAsync($"/api/v1/runs/{succeeded.Str("runId")}")).Json();
        Assert.Equal("succeeded", succeeded.Str("status"));
        Assert.Equal(schedule.Str("id"), succeeded.Str("scheduleId"));
        Assert.Equal(schedule.Str("id"), run.Str("scheduleId"));
        Assert.Equal("Morning check", succeeded.Str("label"));
        foreach (var field in new[] { "matched", "discrepancies", "newDiscrepancies", "storeOrders", "keapOrders", "pending", "autoResolved" })
            Assert.Equal(run.GetProperty(field).GetInt32(), succeeded.GetProperty(field).GetInt32());
        Assert.Equal(run.GetProperty("impact").GetDecimal(), succeeded.GetProperty("impact").GetDecimal());
        Assert.Equal(run.GetProperty("window").GetProperty("matchRate").GetDecimal(), succeeded.GetProperty("matchRate").GetDecimal());
        var topCategory = run.GetProperty("byCategory").EnumerateObject().OrderByDescending(c => c.Value.GetInt32()).ThenBy(c => c.Name, StringComparer.Ordinal).First();
        Assert.Equal(topCategory.Name, succeeded.Str("topCategory"));
        Assert.Equal(topCategory.Value.GetInt32(), succeeded.GetProperty("topCategoryCount").GetInt32());
        Assert.Equal($"/api/v1/runs/{run.Str("id")}", succeeded.Str("runUrl"));
        // Flat: no field of a run event is an object or an array.
        Assert.All(succeeded.EnumerateObject(), p => Assert.True(p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array), p.Name));

        var created = JsonDocument.Parse(byType["discrepancy.created"].Body).RootElement.GetProperty("data");
        Assert.Equal(run.GetProperty("newDiscrepancies").GetInt32(), created.GetProperty("count").GetInt32());
        Assert.False(created.GetProperty("truncated").GetBoolean());
        var listed = await ws.Http.DiscrepanciesAsync();
        Assert.Equal(listed.Select(d => d.Id()).Order(), created.GetProperty("items").EnumerateArray().Select(i => i.Id()).Order());
        var missing = created.GetProperty("items").EnumerateArray().Single(i => i.Str("category") == "missing_in_keap");
        Assert.Equal("1002", missing.Str("orderKey"));
        Assert.Equal("create_in_keap", missing.Str("actionCode"));
        Assert.False(string.IsNullOrEmpty(missing.Str("causeText")));

        var alert = JsonDocument.Parse(byType["alert.triggered"].Body).RootElement.GetProperty("data");
        Assert.Equal("new_discrepancies_above", alert.Str("rule"));
        Assert.Equal(run.Str("id"), alert.Str("runId"));
        var listedAlert = Assert.Single((await (await ws.Http.GetAsync("/api/v1/alerts")).Json()).GetProperty("items").EnumerateArray());
        Assert.Equal(listedAlert.GetProperty("id").GetInt64(), alert.GetProperty("alertId").GetInt64());

        // The next run finds nothing new: it is announced, with no findings event and no second alert.
        var again = await ws.Http.PostAsync($"/api/v1/schedules/{schedule.Str("id")}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var fourth = (await receiver.WaitForAsync(4))[3];
        await Task.Delay(300);
        Assert.Equal(4, receiver.Received.Count);
        var data = JsonDocument.Parse(fourth.Body).RootElement;
        Assert.Equal("run.succeeded", data.Str("type"));
        Assert.Equal(0, data.GetProperty("data").GetProperty("newDiscrepancies").GetInt32());
    }

    [Fact]
    public async Task AWorkspace_HasAtMost20Webhooks()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        for (var i = 0; i < CreateWebhook.MaxPerWorkspace; i++)
            Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = $"http://127.0.0.1:9/{i}", events = new[] { "run.failed" } })).StatusCode);
        var refused = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/more", events = new[] { "run.failed" } });
        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "20 webhooks");
    }
}
