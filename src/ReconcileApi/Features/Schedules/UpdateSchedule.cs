using Hangfire;

namespace ReconcileApi.Features.Schedules;

/// <summary>PUT /api/v1/schedules/{id} — replaces the schedule; Hangfire follows at once (disabled = unregistered).</summary>
public static class UpdateSchedule
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPut("/schedules/{id:guid}", Handle)
        .WithName(nameof(UpdateSchedule))
        .WithSummary("Replace a schedule (send the whole object); enabled=false pauses it")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(request: Examples.Schedule, response: Examples.ScheduleResponse);

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> Handle(
        Guid id, ScheduleRequest request, ClaimsPrincipal user, ReconcileDbContext db, IRecurringJobManager recurring, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var row = await db.Schedules.SingleOrDefaultAsync(s => s.Id == id && s.WorkspaceId == workspaceId, ct);
        if (row is null)
            return Problems.NotFound("Schedule", id);
        var now = clock.GetUtcNow().UtcDateTime;
        var zone = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Timezone).SingleAsync(ct);
        Schedules.Write(row, request, zone, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A DELETE removed the row after it was read: the schedule is gone, as a PUT a moment later would find it.
            return Problems.NotFound("Schedule", id);
        }
        Schedules.Apply(recurring, row);
        return TypedResults.Ok(ScheduleResponse.Of(row, now));
    }
}
