using Hangfire;

namespace ReconcileApi.Features.Schedules;

/// <summary>DELETE /api/v1/schedules/{id} — stops it; its runs stay (they keep their scheduleId).</summary>
public static class DeleteSchedule
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapDelete("/schedules/{id:guid}", Handle)
        .WithName(nameof(DeleteSchedule))
        .WithSummary("Delete a schedule; the runs it started stay")
        .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<NoContent, ProblemHttpResult>> Handle(
        Guid id, ClaimsPrincipal user, ReconcileDbContext db, IRecurringJobManager recurring, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var deleted = await db.Schedules.Where(s => s.Id == id && s.WorkspaceId == workspaceId).ExecuteDeleteAsync(ct);
        if (deleted == 0)
            return Problems.NotFound("Schedule", id);
        recurring.RemoveIfExists(Schedules.JobId(id));
        return TypedResults.NoContent();
    }
}
