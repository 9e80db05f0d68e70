using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Features.Webhooks;

namespace ReconcileApi.Tests;

/// <summary>An <see cref="ApiFactory"/> with settings of its own (applied after the defaults).</summary>
public sealed class SettingsFactory(Dictionary<string, string> settings) : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
    }
}

/// <summary>Delivery under pressure: the per-target limit, and a process that stopped with deliveries still due.</summary>
public sealed class WebhookRecoveryTests
{
    static async Task<Guid> SubscribeAsync(WorkspaceClient ws, string url)
    {
        var response = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { WebhookEventTypes.RunFailed } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    static async Task PublishAsync(ApiFactory factory, Guid workspaceId)
    {
        using var scope = factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<WebhookEvents>()
            .PublishAsync(workspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() }, null, CancellationToken.None);
    }

    [Fact]
    public async Task OverThePerTargetLimit_ADeliveryWaits_WithoutUsingUpAnAttempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var factory = new SettingsFactory(new() { ["Webhooks:PerTargetPerMinute"] = "1" });
        using var ws = await factory.CreateWorkspaceAsync();
        var id = await SubscribeAsync(ws, receiver.Url);

        await PublishAsync(factory, ws.WorkspaceId);
        await PublishAsync(factory, ws.WorkspaceId);
        await receiver.WaitForAsync(1);
        await Task.Delay(1500);

        Assert.Single(receiver.Received);
        var items = (await (await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries")).Json()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        var waiting = Assert.Single(items, d => d.Str("status") == "pending");
        Assert.Equal(0, waiting.GetProperty("attempts").GetInt32());
        Assert.Equal(0, waiting.GetProperty("attemptLog").GetArrayLength());
        Assert.True(waiting.GetProperty("nextAttemptAt").GetDateTime() > factory.Clock.GetUtcNow().UtcDateTime, "The waiting delivery says when it goes.");
        Assert.Equal(1, Assert.Single(items, d => d.Str("status") == "succeeded").GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task ThePerTargetLimit_CountsEachWorkspaceApart_SoOneWorkspacesBurstToASharedHostHoldsNoOtherBack()
    {
        // One receiver host for both, as every Zapier user's hooks are on hooks.zapier.com.
        await using var receiver = await WebhookReceiver.StartAsync();
        using var factory = new SettingsFactory(new() { ["Webhooks:PerTargetPerMinute"] = "1" });
        using var a = await factory.CreateWorkspaceAsync();
        using var b = await factory.CreateWorkspaceAsync();
        await SubscribeAsync(a, receiver.Url);
        var bWebhook = await SubscribeAsync(b, receiver.Url);

        await PublishAsync(factory, a.WorkspaceId);
        await PublishAsync(factory, a.WorkspaceId);
        await receiver.WaitForAsync(1);
        await PublishAsync(factory, b.WorkspaceId);

        // A's second waits for its next minute; B's goes now.
        await receiver.WaitForAsync(2);
        var delivered = (await (await b.Http.GetAsync($"/api/v1/webhooks/{bWebhook}/deliveries")).Json()).GetProperty("items")[0];
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task AWorkspaceWhoseTargetAnswersSlowly_TakesAtMostItsShareOfTheWorkers_SoAnotherWorkspacesDeliveryGoesMeanwhile()
    {
        await using var slow = await WebhookReceiver.StartAsync(answerAfter: TimeSpan.FromSeconds(3));
        await using var fast = await WebhookReceiver.StartAsync();
        using var factory = new SettingsFactory(new() { ["Webhooks:WorkerCount"] = "2" });
        using var a = await factory.CreateWorkspaceAsync();
        using var b = await factory.CreateWorkspaceAsync();
        await SubscribeAsync(a, slow.Url);
        await SubscribeAsync(b, fast.Url);

        for (var i = 0; i < 6; i++)
            await PublishAsync(factory, a.WorkspaceId);
        await slow.WaitForAsync(1);
        await PublishAsync(factory, b.WorkspaceId);

        await fast.WaitForAsync(1);
        // Both workers busy with A's six deliveries, three seconds each, would have sent B's only after the last of them.
        Assert.True(slow.Received.Count < 6, $"B's delivery waited until A's target had received {slow.Received.Count} of its 6.");
    }

    [Fact]
    public async Task Deliveries_RunOnTheirOwnQueue_EvenWithNoWorkerForRuns()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var factory = new SettingsFactory(new() { ["Jobs:WorkerCount"] = "0" });
        using var ws = await factory.CreateWorkspaceAsync();
        await SubscribeAsync(ws, receiver.Url);

        await PublishAsync(factory, ws.WorkspaceId);

        Assert.Single(await receiver.WaitForAsync(1));
    }

    [Fact]
    public async Task DeliveriesStillPending_WhenTheProcessStops_AreSentByTheNextOne_OnSqlite()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // The first process delivers nothing (no webhooks workers): its in-memory job storage dies with it.
        using var first = new SettingsFactory(new() { ["Webhooks:WorkerCount"] = "0" });
        using var ws = await first.CreateWorkspaceAsync();
        var id = await SubscribeAsync(ws, receiver.Url);
        await PublishAsync(first, ws.WorkspaceId);
        await Task.Delay(500);
        Assert.Empty(receiver.Received);

        using var second = new SettingsFactory(new() { ["ConnectionStrings:Reconcile"] = $"Data Source={first.DatabasePath}" });
        using var client = second.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ws.ApiKey);

        var request = Assert.Single(await receiver.WaitForAsync(1));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement delivery;
        do
        {
            await Task.Delay(50);
            delivery = (await (await client.GetAsync($"/api/v1/webhooks/{id}/deliveries")).Json()).GetProperty("items")[0];
        }
        while (delivery.Str("status") != "succeeded" && DateTime.UtcNow < deadline);
        Assert.Equal("succeeded", delivery.Str("status"));
        Assert.Equal(delivery.Str("messageId"), request.Header("webhook-id"));
    }
}
