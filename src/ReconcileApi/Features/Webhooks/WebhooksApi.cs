using Hangfire;

namespace ReconcileApi.Features.Webhooks;

public static class WebhooksApi
{
    /// <summary>
    /// Publishing, the delivery job, the guarded HTTP client, the per-target limiter, and a Hangfire server of its own
    /// for the <c>webhooks</c> queue (<c>Webhooks:WorkerCount</c> workers), so a thousand slow targets never hold up a run.
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, ServiceOptions options)
    {
        services.AddScoped<WebhookEvents>();
        services.AddScoped<WebhookDeliveryQueue>();
        services.AddScoped<WebhookDeliveryJob>();
        services.AddScoped<WebhookSweepJob>();
        services.AddSingleton<WebhookRateLimiter>();
        services.AddHttpClient<WebhookSender>(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => OutboundUrls.CreateHandler(sp.GetRequiredService<IHostResolver>(), options.Webhooks.AllowPrivateTargets))
            // Target URLs may carry a token (callbackUrls have no other secret): they stay out of the log.
            .RemoveAllLoggers();
        if (options.Webhooks.WorkerCount > 0)
        {
            services.AddHangfireServer(o =>
            {
                o.Queues = [WebhookDeliveryQueue.Name];
                o.WorkerCount = options.Webhooks.WorkerCount;
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
        }
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Webhooks", "Signed callbacks for run and alert events, and each delivery's log.");
        CreateWebhook.Map(group);
        ListWebhooks.Map(group);
        GetWebhook.Map(group);
        DeleteWebhook.Map(group);
        ListWebhookDeliveries.Map(group);
        RedeliverWebhook.Map(group);
        return app;
    }

    /// <summary>
    /// At start: on SQLite (in-memory job storage) the deliveries a previous process left pending are scheduled again for
    /// when they were due; on every provider the overdue sweep (<see cref="WebhookSweepJob"/>) is registered.
    /// </summary>
    public static async Task ResumeWebhookDeliveriesAsync(this WebApplication app, ServiceOptions options)
    {
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<WebhookSweepJob>(
            WebhookSweepJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        if (options.Database.Provider != DatabaseProvider.Sqlite)
            return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var queue = scope.ServiceProvider.GetRequiredService<WebhookDeliveryQueue>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var pending = await db.WebhookDeliveries
            .Where(d => d.Status == WebhookDeliveryStatus.Pending)
            .Select(d => new { d.Id, d.Attempts, d.NextAttemptAt })
            .ToListAsync();
        foreach (var d in pending)
            queue.Schedule(d.Id, d.Attempts + 1, d.NextAttemptAt is { } due && due > now ? due - now : TimeSpan.Zero);
        if (pending.Count > 0)
            app.Logger.LogInformation("Re-scheduled {Count} pending webhook deliveries", pending.Count);
    }
}

/// <summary>
/// Every minute: a pending delivery more than a minute past due lost its job — enqueued before its publisher's
/// transaction committed, or its worker died mid-attempt — and is enqueued again. Each is pushed ten minutes on, so
/// a long backlog is not enqueued again every minute (and the attempt-number claim makes a duplicate a no-op).
/// </summary>
public sealed class WebhookSweepJob(ReconcileDbContext db, WebhookDeliveryQueue queue, TimeProvider clock)
{
    public const string RecurringJobId = "webhooks-sweep";
    public static readonly TimeSpan Overdue = TimeSpan.FromMinutes(1), Backoff = TimeSpan.FromMinutes(10);

    [AutomaticRetry(Attempts = 0)]
    [Queue(WebhookDeliveryQueue.Name)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now - Overdue;
        var overdue = await db.WebhookDeliveries
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= cutoff)
            .OrderBy(d => d.NextAttemptAt)
            .Select(d => new { d.Id, d.Attempts })
            .Take(1000)
            .ToListAsync(cancellationToken);
        foreach (var d in overdue)
        {
            var moved = await db.WebhookDeliveries
                .Where(x => x.Id == d.Id && x.Status == WebhookDeliveryStatus.Pending && x.Attempts == d.Attempts && x.NextAttemptAt <= cutoff)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextAttemptAt, now + Backoff), cancellationToken);
            if (moved == 1)
                queue.Enqueue(d.Id, d.Attempts + 1);
        }
    }
}
