using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Features.Retention;
using ReconcileApi.Infrastructure;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>The daily purge removes what is past its retention and nothing else.</summary>
public sealed class RetentionTests
{
    /// <summary>Delivery rows as the delivery job leaves them (no target is called), each with one attempt, dated now.</summary>
    static async Task AddDeliveriesAsync(ApiFactory factory, WorkspaceClient ws, params WebhookDeliveryStatus[] statuses)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        foreach (var status in statuses)
        {
            var delivery = new WebhookDelivery
            {
                Id = Guid.CreateVersion7(), WorkspaceId = ws.WorkspaceId, Url = "https://hooks.example.com/x", EventType = "run.failed",
                Payload = "{}", CreatedAt = now, Status = status, Attempts = 1,
            };
            db.WebhookDeliveries.Add(delivery);
            db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery.Id, AttemptedAt = now, StatusCode = 500, DurationMs = 5 });
        }
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task ThePurge_RemovesExpiredKeysOldVersionsAndOldBatchPayloads_AndKeepsTheRest()
    {
        // A factory of its own: this test moves the service's clock.
        using var factory = new ApiFactory();
        using var ws = await factory.CreateWorkspaceAsync();
        // Old: a batch with a rejected record, a replaced version, a used key.
        await ws.Http.IngestAsync("store", new[] { Order("A", total: 10m), Order("BAD").With("total", "n/a") });
        await ws.Http.IngestAsync("store", new[] { Order("A", total: 11m) });
        var key = new HttpRequestMessage(HttpMethod.Post, "/api/v1/runs") { Content = JsonBody("{}") };
        key.Headers.Add("Idempotency-Key", "old-key");
        await ws.Http.SendAsync(key);
        await AddDeliveriesAsync(factory, ws, WebhookDeliveryStatus.Succeeded, WebhookDeliveryStatus.Pending);
        factory.Clock.Advance(TimeSpan.FromDays(181));
        // Recent: the same again.
        await ws.Http.IngestAsync("store", new[] { Order("B", total: 10m), Order("BAD2").With("total", "n/a") });
        await ws.Http.IngestAsync("store", new[] { Order("B", total: 11m) });
        var recentKey = new HttpRequestMessage(HttpMethod.Post, "/api/v1/runs") { Content = JsonBody("{}") };
        recentKey.Headers.Add("Idempotency-Key", "recent-key");
        await ws.Http.SendAsync(recentKey);
        await AddDeliveriesAsync(factory, ws, WebhookDeliveryStatus.Failed);

        using var scope = factory.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);

        Assert.Equal(new RetentionResult(1, 1, 1, 1), result);
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        Assert.Equal(["recent-key"], await db.IdempotencyRecords.Where(r => r.WorkspaceId == ws.WorkspaceId).Select(r => r.Key).ToListAsync());
        Assert.Equal(1, await db.OrderVersions.CountAsync(v => db.Orders.Any(o => o.Id == v.StoredOrderId && o.WorkspaceId == ws.WorkspaceId)));
        var batches = await db.Batches.Where(b => b.WorkspaceId == ws.WorkspaceId).OrderBy(b => b.CreatedAt).ToListAsync();
        Assert.Equal("[]", batches[0].RejectedRecords);
        Assert.Equal(1, batches[0].Rejected);
        Assert.Contains("BAD2", batches[2].RejectedRecords);
        // The old pending delivery (still being retried) and the recent failed one stay; their attempts with them.
        Assert.Equal([WebhookDeliveryStatus.Pending, WebhookDeliveryStatus.Failed],
            (await db.WebhookDeliveries.Where(d => d.WorkspaceId == ws.WorkspaceId).Select(d => d.Status).ToListAsync()).Order());
        Assert.Equal(2, await db.WebhookAttempts.CountAsync(a => db.WebhookDeliveries.Any(d => d.Id == a.DeliveryId && d.WorkspaceId == ws.WorkspaceId)));
        // And again: nothing left to purge.
        Assert.Equal(new RetentionResult(0, 0, 0, 0), await scope.ServiceProvider.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None));
    }

    [Fact]
    public void ThePurge_IsADailyHangfireRecurringJob()
    {
        using var factory = new ApiFactory();

        using var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection();
        var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == RetentionJob.RecurringJobId);

        Assert.Equal("30 3 * * *", job.Cron);
        Assert.Equal(nameof(RetentionJob.RunAsync), job.Job.Method.Name);
    }
}
