using Hangfire;

namespace ReconcileApi.Features.Schedules;

/// <summary>POST /api/v1/schedules — a recurring run, registered with Hangfire at once.</summary>
public static class CreateSchedule
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/schedules", Handle)
        .WithName(nameof(CreateSchedule))
        .WithSummary("Create a schedule: a cron in an IANA timezone that starts an ordinary run over the last windowDays")
        .WithDescription("Each occurrence starts one run (even with several processes) labelled with the schedule's name; its `scheduleId` says where it came from. " +
            "`alerts` are watched after each of its runs, on top of the workspace's rules (PUT /api/v1/alert-rules).")
        .ProducesValidationProblem()
        .ProducesProblemSaying(StatusCodes.Status409Conflict, Full)
        .WithExamples(request: Examples.Schedule, response: Examples.ScheduleResponse);

    /// <summary>Each schedule is a recurring job that may fire every minute: a bound keeps one workspace from filling the run queue without end.</summary>
    public const int MaxPerWorkspace = 20;

    static readonly string Full = $"The workspace has {MaxPerWorkspace} schedules, the most it may have; delete one (DELETE /api/v1/schedules/{{id}}) or change one (PUT).";

    public static async Task<Results<Created<ScheduleResponse>, ProblemHttpResult>> Handle(
        ScheduleRequest request, ClaimsPrincipal user, ReconcileDbContext db, IRecurringJobManager recurring, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        if (await db.Schedules.CountAsync(s => s.WorkspaceId == workspaceId, ct) >= MaxPerWorkspace)
            return Problems.Conflict(Full);
        var now = clock.GetUtcNow().UtcDateTime;
        var zone = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Timezone).SingleAsync(ct);
        var row = new Schedule { Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, Name = "", Cron = "", Timezone = "", Alerts = "[]", CreatedAt = now };
        Schedules.Write(row, request, zone, now);
        db.Schedules.Add(row);
        await db.SaveChangesAsync(ct);
        Schedules.Apply(recurring, row);
        return TypedResults.Created($"/api/v1/schedules/{row.Id}", ScheduleResponse.Of(row, now));
    }
}
