using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Features.Schedules;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #11: schedules are Hangfire recurring jobs that start ordinary runs, once per occurrence.</summary>
public sealed class SchedulesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static object Daily(string name = "Every morning", int windowDays = 7, bool enabled = true, object[]? alerts = null) =>
        new { name, cron = "0 6 * * *", timezone = "America/New_York", windowDays, enabled, alerts = alerts ?? [] };

    static List<string> RecurringJobIds(WebApplicationFactory<Program> host)
    {
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Select(j => j.Id).ToList();
    }

    [Fact]
    public async Task Schedule_CreatedReadUpdatedDeleted_AndHangfireFollowsEachChange()
    {
        using var ws = await factory.CreateWorkspaceAsync("Europe/Berlin");
        var created = await ws.Http.PostAsJsonAsync("/api/v1/schedules", new { name = "Nightly", cron = "30 2 * * *" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = await created.Json();
        var id = schedule.Str("id");
        Assert.Equal($"/api/v1/schedules/{id}", created.Headers.Location!.ToString());
        Assert.Equal("Europe/Berlin", schedule.Str("timezone")); // the workspace's zone by default
        Assert.Equal(7, schedule.GetProperty("windowDays").GetInt32());
        // 02:30 in Berlin (UTC+1 in November) after the clock's 2026-11-16 12:00 UTC.
        Assert.Equal(new DateTime(2026, 11, 17, 1, 30, 0, DateTimeKind.Utc), schedule.GetProperty("nextRunAt").GetDateTime().ToUniversalTime());
        Assert.Contains(Schedules.JobId(Guid.Parse(id)), RecurringJobIds(factory));

        var listed = await (await ws.Http.GetAsync("/api/v1/schedules")).Json();
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).Str("id"));

        var paused = await ws.Http.PutAsJsonAsync($"/api/v1/schedules/{id}", Daily("Nightly, paused", enabled: false));
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await paused.Json()).GetProperty("nextRunAt").ValueKind);
        Assert.DoesNotContain(Schedules.JobId(Guid.Parse(id)), RecurringJobIds(factory));
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PutAsJsonAsync($"/api/v1/schedules/{id}", Daily("Nightly again"))).StatusCode);
        Assert.Contains(Schedules.JobId(Guid.Parse(id)), RecurringJobIds(factory));
        Assert.Equal("Nightly again", (await (await ws.Http.GetAsync($"/api/v1/schedules/{id}")).Json()).Str("name"));

        using var other = await factory.CreateWorkspaceAsync();
        await (await other.Http.GetAsync($"/api/v1/schedules/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.Http.DeleteAsync($"/api/v1/schedules/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await ws.Http.DeleteAsync($"/api/v1/schedules/{id}")).StatusCode);
        Assert.DoesNotContain(Schedules.JobId(Guid.Parse(id)), RecurringJobIds(factory));
        await (await ws.Http.GetAsync($"/api/v1/schedules/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UpdateRacingDelete_AnswersEachUpdate200Or404_NeverA500()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add((await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily($"Race {i}"))).Json()).Str("id"));

        // Four replacements and four deletions of each schedule at once: an update that read the row before a deletion
        // removed it finds it gone when it writes.
        var requests = ids.SelectMany(id => Enumerable.Range(0, 8).Select(async i => (id, put: i % 2 == 0, response: i % 2 == 0
            ? await ws.Http.PutAsJsonAsync($"/api/v1/schedules/{id}", Daily($"Renamed {i}"))
            : await ws.Http.DeleteAsync($"/api/v1/schedules/{id}"))));
        var answers = await Task.WhenAll(requests);

        foreach (var (_, put, response) in answers)
        {
            var expected = put ? HttpStatusCode.OK : HttpStatusCode.NoContent;
            Assert.True(response.StatusCode == expected || response.StatusCode == HttpStatusCode.NotFound,
                $"{(put ? "PUT" : "DELETE")} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            if (response.StatusCode == HttpStatusCode.NotFound)
                await response.AssertProblemAsync(HttpStatusCode.NotFound);
        }
        foreach (var id in ids)
        {
            Assert.Single(answers, a => a.id == id && a.response.StatusCode == HttpStatusCode.NoContent);
            await (await ws.Http.GetAsync($"/api/v1/schedules/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Theory]
    [InlineData("""{"name": "x", "cron": "every day"}""", "cron")]
    [InlineData("""{"name": "x", "cron": "0 6 * * * *"}""", "cron")]
    [InlineData("""{"name": "x", "cron": "0 0 30 2 *"}""", "cron")] // 30 February: a schedule that would never run
    [InlineData("""{"name": "x", "cron": "0 6 * * *", "timezone": "Mars/Olympus"}""", "timezone")]
    [InlineData("""{"name": "x", "cron": "0 6 * * *", "windowDays": 0}""", "windowDays")]
    [InlineData("""{"name": "", "cron": "0 6 * * *"}""", "name")]
    [InlineData("""{"name": "x", "cron": "0 6 * * *", "alerts": [{"rule": "match_rate_below", "threshold": 95}]}""", "alerts[0].threshold")]
    [InlineData("""{"name": "x", "cron": "0 6 * * *", "alerts": [{"rule": "side_silent"}]}""", "alerts[0].hours")]
    public async Task InvalidSchedule_IsA400NamingTheField(string body, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/schedules", JsonBody(body));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"No error for '{field}': {errors}");
    }

    [Fact]
    public async Task Trigger_StartsAnOrdinaryRunOfTheScheduleNow_WithItsLocation()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestMixAsync(ws);
        var schedule = await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily(windowDays: 10))).Json();
        var triggered = await ws.Http.PostAsync($"/api/v1/schedules/{schedule.Str("id")}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
        var accepted = await triggered.Json();
        Assert.Equal($"/api/v1/runs/{accepted.Str("id")}", triggered.Headers.Location!.ToString());
        var run = await ws.Http.WaitForRunAsync(triggered.Headers.Location!.ToString());
        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal(schedule.Str("id"), run.Str("scheduleId"));
        Assert.Equal("Every morning", run.Str("label"));
        var to = run.GetProperty("to").GetDateTime().ToUniversalTime();
        Assert.Equal(TimeSpan.FromDays(10), to - run.GetProperty("from").GetDateTime().ToUniversalTime());
        Assert.True(run.GetProperty("discrepancies").GetInt32() > 0, run.ToString());

        await (await ws.Http.PostAsync($"/api/v1/schedules/{Guid.NewGuid()}/trigger", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task HangfireFiringAnOccurrence_StartsOneRunForIt_EvenWhenFiredAgainOrByTwoWorkersAtOnce()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestMixAsync(ws);
        var schedule = await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily())).Json();
        var id = Guid.Parse(schedule.Str("id"));

        // Hangfire fires the recurring job (as its scheduler would at 06:00 New York); the run is for the latest occurrence.
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(Schedules.JobId(id));
        var run = await WaitForScheduledRunAsync(ws, id);
        Assert.Equal("succeeded", run.Str("status"));
        var occurrence = new DateTime(2026, 11, 16, 11, 0, 0, DateTimeKind.Utc); // 06:00 EST on the clock's day
        Assert.Equal(occurrence, run.GetProperty("to").GetDateTime().ToUniversalTime());
        Assert.Equal(occurrence.AddDays(-7), run.GetProperty("from").GetDateTime().ToUniversalTime());

        // The same occurrence fired again, and by two workers at the same moment (two processes on one SQL Server): no second run.
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ScheduledRunJob>().RunOccurrenceAsync(id, CancellationToken.None);
        }));
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(Schedules.JobId(id));
        await Task.Delay(1500);
        var runs = (await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray().ToList();
        Assert.Single(runs);
        await using var check = factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        Assert.Equal(occurrence, Assert.Single(db.Runs.Where(r => r.ScheduleId == id)).ScheduledFor);
    }

    [Fact]
    public async Task ADailyScheduleOverOneDay_CoversTheHourTheClocksGoBack_FromOneOccurrenceToTheNext()
    {
        // 2027-11-07, New York: 02:00 EDT goes back to 01:00 EST, so 06:00 on the 7th is 25 hours after 06:00 on the 6th.
        using var factory = new ApiFactory();
        factory.Clock.SetUtcNow(new DateTimeOffset(2027, 11, 7, 11, 0, 30, TimeSpan.Zero)); // just after 06:00 EST
        using var ws = await factory.CreateWorkspaceAsync("America/New_York");
        var previousOccurrence = new DateTime(2027, 11, 6, 10, 0, 0, DateTimeKind.Utc); // 06:00 EDT the day before
        // Sold at 06:30 EDT on the 6th: after the run of the 6th, so only the run of the 7th can see it.
        await ws.Http.IngestAsync("store", new[] { Order("S-DST", "#7001", 25m, date: previousOccurrence.AddMinutes(30)) });
        var schedule = await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily(windowDays: 1))).Json();
        var id = Guid.Parse(schedule.Str("id"));

        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(Schedules.JobId(id));
        var run = await WaitForScheduledRunAsync(ws, id);

        Assert.Equal(new DateTime(2027, 11, 7, 11, 0, 0, DateTimeKind.Utc), run.GetProperty("to").GetDateTime().ToUniversalTime());
        Assert.Equal(previousOccurrence, run.GetProperty("from").GetDateTime().ToUniversalTime());
        Assert.Equal(1, run.GetProperty("window").GetProperty("storeOrders").GetInt32());
        Assert.Equal(1, run.GetProperty("byCategory").GetProperty("missing_in_keap").GetInt32());
    }

    [Fact]
    public async Task AWorkspace_HasAtMost20Schedules()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            // Paused ones count too (a PUT starts them again); paused, they do not fire while the other tests run.
            var created = await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily($"Schedule {i}", enabled: false));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add((await created.Json()).Str("id"));
        }

        var refused = await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily("One more", enabled: false));
        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "20 schedules");
        Assert.Equal(20, (await (await ws.Http.GetAsync("/api/v1/schedules")).Json()).GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await ws.Http.DeleteAsync($"/api/v1/schedules/{ids[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily("One more", enabled: false))).StatusCode);
        // Another workspace's count is its own.
        using var other = await factory.CreateWorkspaceAsync();
        Assert.Equal(HttpStatusCode.Created, (await other.Http.PostAsJsonAsync("/api/v1/schedules", Daily(enabled: false))).StatusCode);
    }

    [Fact]
    public async Task AnOccurrence_WhileTheSchedulesPreviousRunHasNotEnded_StartsNoOtherRun()
    {
        // No run workers: the run the trigger starts stays queued, as it would behind a long run of its workspace.
        using var factory = new SettingsFactory(new() { ["Jobs:WorkerCount"] = "0" });
        using var ws = await factory.CreateWorkspaceAsync();
        var id = Guid.Parse((await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily())).Json()).Str("id"));
        Assert.Equal(HttpStatusCode.Accepted, (await ws.Http.PostAsync($"/api/v1/schedules/{id}/trigger", null)).StatusCode);

        // Hangfire fires the occurrence (every minute, for a cron more frequent than its runs).
        for (var i = 0; i < 3; i++)
        {
            factory.Clock.Advance(TimeSpan.FromDays(1));
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ScheduledRunJob>().RunOccurrenceAsync(id, CancellationToken.None);
        }

        var runs = (await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("queued", Assert.Single(runs).Str("status"));
    }

    [Fact]
    public async Task Restart_RegistersTheSchedulesAgainFromTheDatabase()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var enabled = Guid.Parse((await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily("on"))).Json()).Str("id"));
        var disabled = Guid.Parse((await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily("off", enabled: false))).Json()).Str("id"));

        // A second host on the same SQLite file starts with empty in-memory Hangfire storage, as a restarted process does.
        using var restarted = factory.WithWebHostBuilder(_ => { });
        var ids = RecurringJobIds(restarted);
        Assert.Contains(Schedules.JobId(enabled), ids);
        Assert.DoesNotContain(Schedules.JobId(disabled), ids);
    }

    [Fact]
    public async Task AnOccurrenceThatFellDueWhileTheServiceWasDown_RunsWhenItStartsAgain()
    {
        using var factory = new ApiFactory();
        using var ws = await factory.CreateWorkspaceAsync();
        var id = Guid.Parse((await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", Daily())).Json()).Str("id"));

        // Down from the clock's 2026-11-16 12:00 UTC until 16:30 UTC the next day, across 06:00 New York (11:00 UTC).
        factory.Clock.Advance(TimeSpan.FromHours(28.5));
        using var restarted = factory.WithWebHostBuilder(_ => { });
        var client = restarted.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ws.ApiKey);

        var run = await WaitForScheduledRunAsync(new WorkspaceClient(client, ws.WorkspaceId, ws.ApiKey), id);
        Assert.Equal(new DateTime(2026, 11, 17, 11, 0, 0, DateTimeKind.Utc), run.GetProperty("to").GetDateTime().ToUniversalTime());
        await using var scope = restarted.Services.CreateAsyncScope();
        Assert.Equal(run.GetProperty("to").GetDateTime().ToUniversalTime(),
            Assert.Single(scope.ServiceProvider.GetRequiredService<ReconcileDbContext>().Runs.Where(r => r.ScheduleId == id)).ScheduledFor);
    }

    static async Task<JsonElement> WaitForScheduledRunAsync(WorkspaceClient ws, Guid scheduleId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var runs = (await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray()
                .Where(r => r.GetProperty("scheduleId").ValueKind == JsonValueKind.String && r.Str("scheduleId") == scheduleId.ToString()).ToList();
            if (runs.Count > 0)
                return await ws.Http.WaitForRunAsync($"/api/v1/runs/{runs[0].Str("id")}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"Schedule {scheduleId} started no run");
    }
}
