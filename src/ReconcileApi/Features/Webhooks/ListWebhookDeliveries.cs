using FluentValidation;

namespace ReconcileApi.Features.Webhooks;

/// <summary>
/// <c>limit</c>: the deliveries a page shows, 1–100 (default 20); <c>status</c>: only those in these statuses (comma-separated);
/// <c>cursor</c>: the previous page's <c>nextCursor</c>. Without pages only the newest 100 could be read: a delivery behind
/// them (an outage fails hundreds) could not be seen, nor redelivered, as redelivery takes its id.
/// </summary>
public sealed record DeliveriesQuery(int? Limit, string? Status = null, string? Cursor = null)
{
    public int Take => Limit ?? 20;
}

public sealed class DeliveriesQueryValidator : AbstractValidator<DeliveriesQuery>
{
    public const int MaxLimit = 100;

    public DeliveriesQueryValidator() => RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit).WithMessage(Paging.LimitOutOfRange(MaxLimit));
}

/// <summary>GET /api/v1/webhooks/{id}/deliveries — the delivery log: every message and every attempt of it.</summary>
public static class ListWebhookDeliveries
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/webhooks/{id:guid}/deliveries", Handle)
        .WithName(nameof(ListWebhookDeliveries))
        .WithSummary("The subscription's deliveries, newest first, each with its attempts (status code, duration, start of the answer, error)")
        .WithDescription("`limit` 1–100 (default 20); `status` pending, succeeded or failed (comma-separated), e.g. `status=failed` for the deliveries to redeliver; " +
            "pass the previous page's `nextCursor` as `cursor` for the next page.")
        .WithMetadata(OpenApi.EnumParameter<WebhookDeliveryStatus>("status"))
        .WithLimit(DeliveriesQueryValidator.MaxLimit)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: new WebhookDeliveryPage([WebhookExamples.Delivery], null));

    public static async Task<Results<Ok<WebhookDeliveryPage>, ProblemHttpResult, ValidationProblem>> Handle(
        Guid id, [AsParameters] DeliveriesQuery query, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var errors = new Dictionary<string, string[]>();
        var statuses = WireEnum.ParseList<WebhookDeliveryStatus>(query.Status, "status", errors);
        var after = Paging.TimeIdCursor(errors, query.Cursor);
        if (errors.Count > 0)
            return Problems.InvalidQuery(errors);
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id && s.WorkspaceId == workspaceId, ct))
            return Problems.NotFound("Webhook", id);
        var deliveries = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (statuses is not null)
            deliveries = deliveries.Where(d => statuses.Contains(d.Status));
        if (after is (var at, var last))
            deliveries = deliveries.Where(d => d.CreatedAt < at || (d.CreatedAt == at && d.Id.CompareTo(last) < 0));
        var page = await deliveries
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(query.Take + 1)
            .ToListAsync(ct);
        string? next = null;
        if (page.Count > query.Take)
        {
            page.RemoveAt(query.Take);
            next = Paging.TimeIdCursor(page[^1].CreatedAt, page[^1].Id);
        }
        return TypedResults.Ok(new WebhookDeliveryPage(await WithAttemptsAsync(db, page, ct), next));
    }

    public static async Task<List<WebhookDeliveryResponse>> WithAttemptsAsync(ReconcileDbContext db, List<WebhookDelivery> deliveries, CancellationToken ct)
    {
        var ids = deliveries.ConvertAll(d => d.Id);
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.Id).ToListAsync(ct))
            .ToLookup(a => a.DeliveryId);
        return deliveries.ConvertAll(d => new WebhookDeliveryResponse(
            d.Id, WebhookSecrets.MessageId(d.Id), d.EventType, d.Status, d.Attempts, d.CreatedAt, d.NextAttemptAt, d.LastStatusCode, d.LastError,
            JsonDocument.Parse(d.Payload).RootElement.Clone(),
            attempts[d.Id].Select(a => new WebhookAttemptResponse(a.Id, a.AttemptedAt, a.StatusCode, a.DurationMs, a.Response, a.Error)).ToList()));
    }
}
