using Hangfire;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Retention;

public static class RetentionApi
{
    public static IServiceCollection AddRetention(this IServiceCollection services) => services.AddScoped<RetentionJob>();

    /// <summary>Registers the daily purge as a Hangfire recurring job (again at every start: in-memory storage forgets it).</summary>
    public static WebApplication ScheduleRetention(this WebApplication app, ServiceOptions options)
    {
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<RetentionJob>(
            RetentionJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), options.Retention.Cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        return app;
    }
}
