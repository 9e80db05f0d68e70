using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Features.Webhooks;
using StandardWebhooks;

namespace ReconcileApi.Tests;

/// <summary>Retries after sub-second waits, and a webhooks worker count of its own to tell the two Hangfire servers apart.</summary>
public sealed class WebhookFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:RetrySchedule", "100ms 100ms 100ms");
        builder.UseSetting("Webhooks:WorkerCount", "3");
    }
}

/// <summary>Webhook subscriptions and deliveries through HTTP, delivered by the real Hangfire server to a real listener.</summary>
public sealed class WebhookTests(WebhookFactory factory) : IClassFixture<WebhookFactory>
{
    static readonly string[] RunFailed = [WebhookEventTypes.RunFailed];

    async Task<(Guid Id, string Secret)> SubscribeAsync(WorkspaceClient ws, string url, string[]? events = null, string? secret = null)
    {
        var response = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url, events = events ?? RunFailed, secret }, ApiFactory.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await response.Json();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    async Task PublishAsync(Guid workspaceId, string type, object data, string? callbackUrl = null)
    {
        using var scope = factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<WebhookEvents>().PublishAsync(workspaceId, type, data, callbackUrl, CancellationToken.None);
    }

    static async Task<List<JsonElement>> DeliveriesAsync(WorkspaceClient ws, Guid webhookId)
    {
        var response = await ws.Http.GetAsync($"/api/v1/webhooks/{webhookId}/deliveries");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Json()).GetProperty("items").EnumerateArray().ToList();
    }

    /// <summary>Polls the log until the newest delivery satisfies <paramref name="done"/> (at most 30 s).</summary>
    static async Task<JsonElement> WaitForDeliveryAsync(WorkspaceClient ws, Guid webhookId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var items = await DeliveriesAsync(ws, webhookId);
            if (items.Count > 0 && done(items[0]))
                return items[0];
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The delivery did not get there: " + string.Join(", ", items));
            await Task.Delay(50);
        }
    }

    static List<int?> StatusCodes(JsonElement delivery) =>
        delivery.GetProperty("attemptLog").EnumerateArray()
            .Select(a => a.GetProperty("statusCode").ValueKind == JsonValueKind.Null ? (int?)null : a.GetProperty("statusCode").GetInt32()).ToList();

    [Fact]
    public async Task APublishedEvent_ReachesTheSubscriber_SignedAsTheStandardWebhooksLibraryComputes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, secret) = await SubscribeAsync(ws, receiver.Url);
        var runId = Guid.NewGuid();

        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunSucceeded, new { runId });     // not subscribed: nothing
        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId, error = "boom" });

        var request = Assert.Single(await receiver.WaitForAsync(1));
        var delivery = await WaitForDeliveryAsync(ws, id, d => d.Str("status") == "succeeded");
        Assert.Single(await DeliveriesAsync(ws, id));
        Assert.Equal("msg_" + delivery.GetProperty("id").GetGuid().ToString("N"), request.Header("webhook-id"));
        Assert.Equal(delivery.Str("messageId"), request.Header("webhook-id"));
        var timestamp = long.Parse(request.Header("webhook-timestamp")!);
        Assert.InRange(timestamp, factory.Clock.GetUtcNow().ToUnixTimeSeconds() - 60, factory.Clock.GetUtcNow().ToUnixTimeSeconds());
        Assert.StartsWith("application/json", request.Header("content-type"));
        Assert.Equal("ReconcileApi-Webhooks/1", request.Header("user-agent"));

        // The library's own HMAC over id.timestamp.body with the secret's decoded bytes. (Its Verify also compares the
        // timestamp with the machine's clock, which the service's fake clock is not.)
        var expected = new StandardWebhook(secret).Sign(request.Header("webhook-id"), DateTimeOffset.FromUnixTimeSeconds(timestamp), request.Body);
        Assert.Equal(expected, request.Header("webhook-signature"));

        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("run.failed", body.Str("type"));
        Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime.Date, body.GetProperty("timestamp").GetDateTime().Date);
        Assert.Equal(runId, body.GetProperty("data").GetProperty("runId").GetGuid());
        Assert.Equal("boom", body.GetProperty("data").Str("error"));
        Assert.Equal(request.Body, delivery.GetProperty("payload").GetRawText());
        Assert.Equal([200], StatusCodes(delivery));
    }

    [Fact]
    public async Task TheDeliveryLog_FiltersByStatus_SoTheDeliveriesToRedeliverAreFoundBehindNewerOnes()
    {
        // The first message is taken, every later one refused: one delivery succeeded, the newer one still pending.
        await using var receiver = await WebhookReceiver.StartAsync(n => (n == 1 ? 200 : 500, null));
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(ws, receiver.Url);
        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });
        var succeeded = await WaitForDeliveryAsync(ws, id, d => d.Str("status") == "succeeded");
        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });
        var pending = await WaitForDeliveryAsync(ws, id, d => d.GetProperty("id").GetGuid() != succeeded.GetProperty("id").GetGuid() && d.GetProperty("attempts").GetInt32() == 1);

        async Task<List<Guid>> IdsAsync(string status) =>
            (await (await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries?status={status}")).Json()).GetProperty("items")
                .EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([succeeded.GetProperty("id").GetGuid()], await IdsAsync("succeeded"));
        Assert.Equal([pending.GetProperty("id").GetGuid()], await IdsAsync("pending"));
        Assert.Empty(await IdsAsync("failed"));
        Assert.Equal(2, (await IdsAsync("pending,succeeded")).Count);
        var bad = await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries?status=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Json();
        Assert.True(problem.GetProperty("errors").TryGetProperty("status", out _), problem.ToString());
    }

    [Fact]
    public async Task AFailingTarget_IsRetriedWithBackoff_AndTheLogShowsEveryAttempt_ThenRedeliverySendsTheSameMessageAgain()
    {
        await using var receiver = await WebhookReceiver.StartAsync(n => (n <= 2 ? 500 : 200, null));
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, secret) = await SubscribeAsync(ws, receiver.Url);

        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });

        var delivery = await WaitForDeliveryAsync(ws, id, d => d.Str("status") == "succeeded");
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal([500, 500, 200], StatusCodes(delivery));
        var log = delivery.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal("answered 500", log[0].Str("error"));
        Assert.Equal("answer 500", log[0].Str("response"));
        Assert.Equal(JsonValueKind.Null, log[2].GetProperty("error").ValueKind);
        Assert.Equal(200, delivery.GetProperty("lastStatusCode").GetInt32());
        var requests = await receiver.WaitForAsync(3);
        Assert.Single(requests.Select(r => r.Header("webhook-id")).Distinct());

        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        var redeliver = await ws.Http.PostAsync($"/api/v1/webhooks/{id}/deliveries/{delivery.GetProperty("id").GetGuid()}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);

        var again = (await receiver.WaitForAsync(4))[3];
        Assert.Equal(requests[0].Header("webhook-id"), again.Header("webhook-id"));
        Assert.Equal(requests[0].Body, again.Body);
        Assert.NotEqual(requests[2].Header("webhook-timestamp"), again.Header("webhook-timestamp"));
        Assert.NotEqual(requests[2].Header("webhook-signature"), again.Header("webhook-signature"));
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(again.Header("webhook-timestamp")!));
        Assert.Equal(new StandardWebhook(secret).Sign(again.Header("webhook-id"), timestamp, again.Body), again.Header("webhook-signature"));
        var redelivered = await WaitForDeliveryAsync(ws, id, d => d.GetProperty("attemptLog").GetArrayLength() == 4);
        Assert.Equal([500, 500, 200, 200], StatusCodes(redelivered));
        Assert.Equal("succeeded", redelivered.Str("status"));
    }

    [Fact]
    public async Task ATargetThatNeverSucceeds_IsFailed_AfterTheLastStepOfTheSchedule()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => (503, null));
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(ws, receiver.Url);

        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });

        var delivery = await WaitForDeliveryAsync(ws, id, d => d.Str("status") == "failed");
        Assert.Equal([503, 503, 503, 503], StatusCodes(delivery));       // the first attempt and three retries
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal("answered 503", delivery.Str("lastError"));
    }

    [Fact]
    public async Task ARedirect_IsNotFollowed_AndTheAttemptSaysSo()
    {
        await using var elsewhere = await WebhookReceiver.StartAsync();
        await using var redirecting = await WebhookReceiver.StartAsync(_ => (302, elsewhere.Url));
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(ws, redirecting.Url);

        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });

        var delivery = await WaitForDeliveryAsync(ws, id, d => d.Str("status") == "failed");
        var first = delivery.GetProperty("attemptLog")[0];
        Assert.Equal(302, first.GetProperty("statusCode").GetInt32());
        Assert.Contains("redirect not followed", first.Str("error"));
        Assert.Empty(elsewhere.Received);
    }

    [Fact]
    public async Task TheAnswerKeptInTheLog_IsCutBetweenCharacters_NeverInsideAnEmoji()
    {
        // The kept 1,024 characters would end between the two UTF-16 halves of the emoji.
        var answer = new string('a', WebhookSender.KeptResponseChars - 1) + "\U0001F600 and more";
        await using var receiver = await WebhookReceiver.StartAsync(answer: answer);
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(ws, receiver.Url);

        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });

        var delivery = await WaitForDeliveryAsync(ws, id, d => d.Str("status") == "succeeded");
        Assert.Equal(answer[..(WebhookSender.KeptResponseChars - 1)], delivery.GetProperty("attemptLog")[0].Str("response"));
    }

    [Fact]
    public async Task ARunsCallbackUrl_GetsTheMessageUnsigned()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ws = await factory.CreateWorkspaceAsync();

        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunSucceeded, new { runId = Guid.NewGuid() }, receiver.Url);

        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.StartsWith("msg_", request.Header("webhook-id"));
        Assert.NotNull(request.Header("webhook-timestamp"));
        Assert.Null(request.Header("webhook-signature"));
        Assert.Equal("run.succeeded", JsonDocument.Parse(request.Body).RootElement.Str("type"));
    }

    [Fact]
    public async Task APublishRolledBackWithItsCallersTransaction_DeliversNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(ws, receiver.Url);

        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            var events = scope.ServiceProvider.GetRequiredService<WebhookEvents>();
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                await events.PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() }, null, CancellationToken.None);
                await transaction.RollbackAsync();
            });
        }
        // A committed one after it: once it has arrived, the rolled-back one's job has long had its turn.
        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });
        await receiver.WaitForAsync(1);
        await Task.Delay(500);

        Assert.Single(receiver.Received);
        Assert.Single(await DeliveriesAsync(ws, id));
    }

    [Fact]
    public async Task TheSecret_IsShownOnce_AndAGivenOneIsKeptAsGiven()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var given = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 24).Select(i => (byte)i).ToArray());

        var (generatedId, generated) = await SubscribeAsync(ws, "https://hooks.example.com/a");
        var (_, kept) = await SubscribeAsync(ws, "https://hooks.example.com/b", secret: given);

        Assert.StartsWith("whsec_", generated);
        Assert.Equal(32, Convert.FromBase64String(generated["whsec_".Length..]).Length);
        Assert.Equal(given, kept);
        var one = await (await ws.Http.GetAsync($"/api/v1/webhooks/{generatedId}")).Json();
        Assert.False(one.TryGetProperty("secret", out _));
        Assert.Equal(["run.failed"], one.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var list = await (await ws.Http.GetAsync("/api/v1/webhooks")).Json();
        Assert.Equal(2, list.GetArrayLength());
        Assert.DoesNotContain("whsec_", list.GetRawText());
    }

    [Theory]
    [InlineData("not-a-secret")]
    [InlineData("whsec_c2hvcnQ=")]                       // 5 bytes
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]  // not base64
    public async Task AMalformedOrShortSecret_Is400(string secret)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/a", events = RunFailed, secret });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("whsec_", (await response.Json()).GetProperty("errors").GetProperty("secret")[0].GetString());
    }

    [Fact]
    public async Task UnknownEvents_Are400NamingThem_AndNoEventsIs400()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var unknown = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/a", events = new[] { "run.failed", "run.exploded", "order.created" } });
        var none = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/a", events = Array.Empty<string>() });

        await unknown.AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = (await unknown.Json()).GetProperty("errors").GetProperty("events")[0].GetString();
        Assert.Contains("'run.exploded'", message);
        Assert.Contains("'order.created'", message);
        Assert.DoesNotContain("'run.failed'", message);
        await none.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await none.Json()).GetProperty("errors").TryGetProperty("events", out _));
    }

    [Fact]
    public async Task AnotherWorkspacesWebhook_IsNotFound_AndItsEventsDoNotReachOtherWorkspaces()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var owner = await factory.CreateWorkspaceAsync();
        using var other = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(owner, receiver.Url);
        await PublishAsync(owner.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });
        var delivery = await WaitForDeliveryAsync(owner, id, d => d.Str("status") == "succeeded");

        await PublishAsync(other.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });
        Assert.Equal(0, (await (await other.Http.GetAsync("/api/v1/webhooks")).Json()).GetArrayLength());
        await (await other.Http.GetAsync($"/api/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.Http.PostAsync($"/api/v1/webhooks/{id}/deliveries/{delivery.GetProperty("id").GetGuid()}/redeliver", null))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.Http.DeleteAsync($"/api/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await Task.Delay(300);
        Assert.Single(receiver.Received);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/v1/webhooks/{id}")).StatusCode);
    }

    [Fact]
    public async Task DeletingAWebhook_WhileADeliveryIsOut_EndsThatDeliveryQuietly_NotAsAFailedJob()
    {
        // The target answers after a second: the webhook (and its log, by the cascade) is deleted while the request is out.
        await using var receiver = await WebhookReceiver.StartAsync(answerAfter: TimeSpan.FromSeconds(1));
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(ws, receiver.Url);
        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });
        var delivery = (await WaitForDeliveryAsync(ws, id, _ => receiver.Received.Count == 1)).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.NoContent, (await ws.Http.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);

        // Its job ends once the answer is in: done, not failed on the attempt it could no longer log (a foreign key error).
        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        bool Ours(Hangfire.Common.Job? job) => job?.Type == typeof(WebhookDeliveryJob) && Equals(job.Args[0], delivery);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!monitoring.SucceededJobs(0, 1000).Any(j => Ours(j.Value.Job)) && !monitoring.FailedJobs(0, 1000).Any(j => Ours(j.Value.Job)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The delivery's job never ended.");
            await Task.Delay(25);
        }
        Assert.DoesNotContain(monitoring.FailedJobs(0, 1000), j => Ours(j.Value.Job));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        Assert.False(await db.WebhookDeliveries.AnyAsync(d => d.Id == delivery));
    }

    [Fact]
    public async Task DeletingAWebhook_DeletesItsLog()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ws = await factory.CreateWorkspaceAsync();
        var (id, _) = await SubscribeAsync(ws, receiver.Url);
        await PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() });
        await WaitForDeliveryAsync(ws, id, d => d.Str("status") == "succeeded");

        Assert.Equal(HttpStatusCode.NoContent, (await ws.Http.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);

        await (await ws.Http.GetAsync($"/api/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        Assert.False(await db.WebhookDeliveries.AnyAsync(d => d.SubscriptionId == id));
    }

    [Fact]
    public void Deliveries_HaveAHangfireServerOfTheirOwn_AndTheRunsServerServesOnlyTheDefaultQueue()
    {
        var servers = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers();

        var webhooks = Assert.Single(servers, s => s.Queues.Contains("webhooks"));
        Assert.Equal(["webhooks"], webhooks.Queues);
        Assert.Equal(3, webhooks.WorkersCount);
        var runs = Assert.Single(servers, s => s != webhooks);
        Assert.Equal(["default"], runs.Queues);
        Assert.Equal(2, runs.WorkersCount);
    }
}
