namespace ReconcileApi.Features.Webhooks;

/// <summary>GET /api/v1/webhooks/{id} — one subscription (without its secret).</summary>
public static class GetWebhook
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/webhooks/{id:guid}", Handle)
        .WithName(nameof(GetWebhook))
        .WithSummary("Read a webhook subscription (the secret is not shown)")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: WebhookExamples.Webhook);

    public static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var row = await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.WorkspaceId == workspaceId, ct);
        return row is null ? Problems.NotFound("Webhook", id) : TypedResults.Ok(WebhookResponse.Of(row));
    }
}
