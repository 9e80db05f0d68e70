namespace ReconcileApi.Features.Webhooks;

/// <summary>GET /api/v1/webhooks — the workspace's subscriptions (without their secrets).</summary>
public static class ListWebhooks
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/webhooks", Handle)
        .WithName(nameof(ListWebhooks))
        .WithSummary("List the workspace's webhook subscriptions (secrets are not shown)")
        .WithExamples(response: new[] { WebhookExamples.Webhook });

    public static async Task<Ok<List<WebhookResponse>>> Handle(ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var rows = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId)
            .OrderBy(s => s.CreatedAt)
            .ToListAsync(ct);
        return TypedResults.Ok(rows.ConvertAll(WebhookResponse.Of));
    }
}
