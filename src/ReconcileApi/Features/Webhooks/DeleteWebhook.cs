namespace ReconcileApi.Features.Webhooks;

/// <summary>DELETE /api/v1/webhooks/{id} — unsubscribe; its deliveries (and what is still due) go with it.</summary>
public static class DeleteWebhook
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapDelete("/webhooks/{id:guid}", Handle)
        .WithName(nameof(DeleteWebhook))
        .WithSummary("Delete a webhook subscription; its delivery log and pending deliveries go with it")
        .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<NoContent, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        // The foreign keys cascade to the deliveries and their attempts; a delivery job whose row is gone does nothing.
        var deleted = await db.WebhookSubscriptions.Where(s => s.Id == id && s.WorkspaceId == workspaceId).ExecuteDeleteAsync(ct);
        return deleted == 0 ? Problems.NotFound("Webhook", id) : TypedResults.NoContent();
    }
}
