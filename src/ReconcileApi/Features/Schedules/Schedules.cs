using Cronos;
using Hangfire;
using ReconcileApi.Features.Alerts;
using ReconcileApi.Features.Runs;

namespace ReconcileApi.Features.Schedules;

/// <summary>
/// Each enabled schedule is a Hangfire recurring job (<see cref="JobId"/>) that starts an ordinary run. Our table is the
/// truth: every change is applied to Hangfire at once, and all schedules are applied again at start (in-memory storage on
/// SQLite forgets them; on SQL Server it is a harmless refresh).
/// </summary>
public static class Schedules
{
    public static IServiceCollection AddSchedules(this IServiceCollection services) => services.AddScoped<ScheduledRunJob>();

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Schedules", "Runs started by a cron in a time zone, each over the days before it.");
        CreateSchedule.Map(group);
        ListSchedules.Map(group);
        GetSchedule.Map(group);
        UpdateSchedule.Map(group);
        DeleteSchedule.Map(group);
        TriggerSchedule.Map(group);
        return app;
    }

    public static string JobId(Guid scheduleId) => $"schedule-{scheduleId:N}";

    /// <summary>Makes Hangfire's recurring job agree with the row: registered when enabled, removed otherwise.</summary>
    public static void Apply(IRecurringJobManager recurring, Schedule schedule)
    {
        if (!schedule.Enabled)
        {
            recurring.RemoveIfExists(JobId(schedule.Id));
            return;
        }
        var id = schedule.Id;
        recurring.AddOrUpdate<ScheduledRunJob>(JobId(id), job => job.RunOccurrenceAsync(id, CancellationToken.None), schedule.Cron,
            new RecurringJobOptions { TimeZone = Zone(schedule) });
    }

    /// <summary>
    /// Registers every schedule again, and fires at once each enabled one whose latest occurrence (since it was last
    /// written) has no run: the process was down when it fell due. In-memory job storage (SQLite) forgets when a job last
    /// fired, so Hangfire would wait for the next occurrence and a restart across 06:00 lost that day's run; SQL Server's
    /// storage fires a missed occurrence itself, and the run's unique occurrence keeps the two from starting it twice.
    /// </summary>
    public static async Task RegisterSchedulesAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var recurring = scope.ServiceProvider.GetRequiredService<IRecurringJobManager>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var schedules = await db.Schedules.AsNoTracking().ToListAsync();
        var missed = 0;
        foreach (var schedule in schedules)
        {
            Apply(recurring, schedule);
            if (schedule.Enabled && Latest(schedule, now) is { } latest && latest > schedule.UpdatedAt
                && !await db.Runs.AnyAsync(r => r.ScheduleId == schedule.Id && r.ScheduledFor == latest))
            {
                recurring.Trigger(JobId(schedule.Id));
                missed++;
            }
        }
        if (schedules.Count > 0)
            app.Logger.LogInformation("Registered {Count} schedule(s); {Missed} missed an occurrence while the service was down and run now", schedules.Count, missed);
    }

    public static IReadOnlyList<AlertRule> Rules(Schedule s) => JsonSerializer.Deserialize<List<AlertRule>>(s.Alerts, StoredJson.Options)!;

    public static TimeZoneInfo Zone(Schedule s) => TimeZones.TryFind(s.Timezone, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateTime? Next(Schedule s, DateTime now) => CronExpression.Parse(s.Cron).GetNextOccurrence(now, Zone(s));

    /// <summary>The latest occurrence at or before <paramref name="now"/> (the one Hangfire is firing), looking back as far as a yearly cron needs.</summary>
    public static DateTime? Latest(Schedule s, DateTime now)
    {
        var cron = CronExpression.Parse(s.Cron);
        foreach (var lookBack in (ReadOnlySpan<TimeSpan>)[TimeSpan.FromHours(1), TimeSpan.FromDays(2), TimeSpan.FromDays(32), TimeSpan.FromDays(367), TimeSpan.FromDays(366 * 5)])
        {
            DateTime? latest = null;
            foreach (var occurrence in cron.GetOccurrences(now - lookBack, now, Zone(s), fromInclusive: true, toInclusive: true))
                latest = occurrence;
            if (latest is not null)
                return latest;
        }
        return null;
    }

    /// <summary>A run of the schedule over the <c>windowDays</c> before <paramref name="end"/>; <paramref name="occurrence"/> when Hangfire fired it.</summary>
    public static RunStarter.Request RunFor(Schedule s, DateTime end, DateTime? occurrence) =>
        new(WindowStart(s, end), end, s.Name, CallbackUrl: null, ScheduleId: s.Id, ScheduledFor: occurrence);

    /// <summary>
    /// <c>windowDays</c> before <paramref name="end"/> as days on the schedule's clock — the same wall-clock time that many
    /// days earlier, the earlier instant where a change of the clocks repeats it (the one the occurrence there fired at) —
    /// and never less than <c>windowDays</c> × 24 h. The day the clocks go back has 25 hours: counted in hours, the run at
    /// 06:00 after it began at 07:00 the day before, and a daily schedule over one day never reconciled the orders of the hour
    /// between its two runs. The 24 h bound covers an occurrence Cronos moved out of a spring-forward gap.
    /// </summary>
    static DateTime WindowStart(Schedule s, DateTime end)
    {
        var zone = Zone(s);
        var local = DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(end, zone), DateTimeKind.Unspecified).AddDays(-s.WindowDays);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        var onTheClock = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        var inHours = end.AddDays(-s.WindowDays);
        return onTheClock < inHours ? onTheClock : inHours;
    }

    public static void Write(Schedule row, ScheduleRequest request, string workspaceZone, DateTime now)
    {
        row.Name = request.Name;
        row.Cron = request.Cron.Trim();
        row.Timezone = request.Timezone ?? workspaceZone;
        row.WindowDays = request.WindowDays;
        row.Enabled = request.Enabled;
        row.Alerts = JsonSerializer.Serialize(request.Alerts ?? [], StoredJson.Options);
        row.UpdatedAt = now;
    }
}

/// <summary>
/// The recurring job of a schedule: starts the run of the occurrence Hangfire fired, once, whichever process fires it,
/// and none while the schedule's previous run is still queued or running.
/// </summary>
public sealed class ScheduledRunJob(ReconcileDbContext db, RunStarter runs, IRecurringJobManager recurring, TimeProvider clock, ILogger<ScheduledRunJob> logger)
{
    // The run row is unique per (schedule, occurrence); the lock keeps two workers from racing to that index.
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Schedule {0}: start its run")]
    public async Task RunOccurrenceAsync(Guid scheduleId, CancellationToken ct)
    {
        var schedule = await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == scheduleId, ct);
        if (schedule is null || !schedule.Enabled)
        {
            // Deleted or disabled in a way Hangfire did not hear of: stop firing.
            recurring.RemoveIfExists(Schedules.JobId(scheduleId));
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var occurrence = Schedules.Latest(schedule, now) ?? now;
        // The schedule's previous run has not ended: another would only queue behind it over nearly the same window, and a
        // cron more frequent than its runs (every minute, runs of two) would queue them without end, every one polling
        // for the workspace's turn. This occurrence is skipped; the next one after that run ends covers its window.
        if (await db.Runs.AnyAsync(r => (r.Status == RunStatus.Queued || r.Status == RunStatus.Running) && r.ScheduleId == scheduleId, ct))
        {
            logger.LogInformation("Schedule {ScheduleId}: the occurrence {Occurrence:O} starts no run, the schedule's previous run has not ended", scheduleId, occurrence);
            return;
        }
        var run = await runs.StartAsync(schedule.WorkspaceId, Schedules.RunFor(schedule, occurrence, occurrence), ct);
        if (run is null)
            logger.LogInformation("Schedule {ScheduleId}: the occurrence {Occurrence:O} already has its run", scheduleId, occurrence);
    }
}
