using Hangfire;

namespace ReconcileApi.Features.Runs;

/// <summary>
/// On SQLite, Hangfire keeps its jobs in memory (see Infrastructure/Jobs.cs): a run a previous process left
/// queued or running is enqueued again at start. The run job claims and completes runs so that this is safe.
/// </summary>
public static class RunRecovery
{
    /// <summary>On SQLite (in-memory job storage) re-enqueue runs a previous process left unfinished.</summary>
    public static async Task RequeueInterruptedRunsAsync(this WebApplication app, ServiceOptions options)
    {
        if (options.Database.Provider != DatabaseProvider.Sqlite)
            return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        var unfinished = await db.Runs
            .Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running)
            .OrderBy(r => r.CreatedAt)
            .Select(r => new { r.Id, r.WorkspaceId })
            .ToListAsync();
        foreach (var run in unfinished)
            jobs.Enqueue<ReconcileRunJob>(job => job.ExecuteAsync(run.Id, run.WorkspaceId, CancellationToken.None));
        if (unfinished.Count > 0)
            app.Logger.LogInformation("Re-enqueued {Count} interrupted run(s)", unfinished.Count);
        // Runs that ended just before the stop but were not announced yet (older ones predate notifications or are stale news).
        var since = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.AddHours(-1);
        var unannounced = await db.Runs
            .Where(r => (r.Status == RunStatus.Succeeded || r.Status == RunStatus.Failed) && r.NotifiedAt == null && r.FinishedAt > since)
            .Select(r => r.Id)
            .ToListAsync();
        foreach (var runId in unannounced)
            jobs.Enqueue<RunNotifications>(n => n.NotifyAsync(runId, CancellationToken.None));
    }
}
