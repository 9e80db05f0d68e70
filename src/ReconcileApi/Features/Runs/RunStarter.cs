using Hangfire;

namespace ReconcileApi.Features.Runs;

/// <summary>Starts a run: its queued row, then its job. Used by <c>POST /runs</c> and by schedules (a trigger, an occurrence).</summary>
public sealed class RunStarter(ReconcileDbContext db, IBackgroundJobClient jobs, TimeProvider clock)
{
    public sealed record Request(DateTime From, DateTime To, string? Label = null, string? CallbackUrl = null, Guid? ScheduleId = null, DateTime? ScheduledFor = null);

    /// <summary>The run started; null when the schedule occurrence already has its run (another process fired it).</summary>
    public async Task<Run?> StartAsync(Guid workspaceId, Request request, CancellationToken ct)
    {
        var run = new Run
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = workspaceId,
            Status = RunStatus.Queued,
            From = request.From,
            To = request.To,
            Label = request.Label,
            CallbackUrl = request.CallbackUrl,
            ScheduleId = request.ScheduleId,
            ScheduledFor = request.ScheduledFor,
            SettingsVersion = await Settings.SettingsStore.CurrentVersionAsync(db, workspaceId, ct),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Runs.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (request.ScheduledFor is not null && e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return null;
        }
        jobs.Enqueue<ReconcileRunJob>(job => job.ExecuteAsync(run.Id, workspaceId, CancellationToken.None));
        return run;
    }
}
