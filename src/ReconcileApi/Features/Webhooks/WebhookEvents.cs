using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Features.Webhooks;

/// <summary>The body of every delivery: <c>{"type", "timestamp", "data"}</c> (Standard Webhooks' payload shape).</summary>
public sealed record WebhookMessage(string Type, DateTime Timestamp, object Data);

/// <summary>
/// Publishes an event to the workspace's subscriptions (and to a run's callbackUrl): one delivery row per target,
/// saved, then one delivery job each. Callable inside the caller's transaction: a job whose row was rolled back
/// finds nothing and does nothing; one that ran before the commit became visible is picked up by the overdue sweep.
/// </summary>
public sealed class WebhookEvents(ReconcileDbContext db, WebhookDeliveryQueue queue, TimeProvider clock, IOptions<JsonOptions> json)
{
    /// <summary>Whether any subscription of the workspace takes <paramref name="type"/>: an event costly to build is built only then.</summary>
    public Task<bool> AnyListeningAsync(Guid workspaceId, string type, CancellationToken ct) =>
        db.WebhookSubscriptions.AnyAsync(s => s.WorkspaceId == workspaceId && s.Events.Contains(type), ct);

    /// <param name="workspaceId">Whose subscriptions receive it.</param>
    /// <param name="type">One of <see cref="WebhookEventTypes.All"/>.</param>
    /// <param name="data">The event's flat fields, serialized in the API's camelCase JSON.</param>
    /// <param name="callbackUrl">A run's own callbackUrl, delivered unsigned (it has no secret); null for none.</param>
    /// <param name="ct">Cancels before anything is saved or enqueued.</param>
    public Task PublishAsync(Guid workspaceId, string type, object data, string? callbackUrl, CancellationToken ct) =>
        PublishAsync(workspaceId, type, data, callbackUrl, held: null, ct);

    /// <summary>
    /// As above; with <paramref name="held"/>, the new deliveries' ids are added to it instead of enqueued, for the caller to
    /// <see cref="Enqueue"/> once its transaction commits: a job enqueued inside it can run before the commit, find no row,
    /// and leave the delivery to the overdue sweep, a minute or two later.
    /// </summary>
    public async Task PublishAsync(Guid workspaceId, string type, object data, string? callbackUrl, List<Guid>? held, CancellationToken ct)
    {
        if (!WebhookEventTypes.All.Contains(type))
            throw new ArgumentException($"'{type}' is not a webhook event type ({string.Join(", ", WebhookEventTypes.All)}).", nameof(type));
        var now = clock.GetUtcNow().UtcDateTime;
        var body = JsonSerializer.Serialize(new WebhookMessage(type, now, data), json.Value.SerializerOptions);
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId)
            .Select(s => new { s.Id, s.Url, s.Events })
            .ToListAsync(ct);
        var deliveries = subscriptions
            .Where(s => WebhookEventTypes.Split(s.Events).Contains(type))
            .Select(s => New(s.Id, s.Url))
            .ToList();
        if (callbackUrl is not null)
            deliveries.Add(New(null, callbackUrl));
        if (deliveries.Count == 0)
            return;
        db.WebhookDeliveries.AddRange(deliveries);
        await db.SaveChangesAsync(ct);
        if (held is not null)
            held.AddRange(deliveries.Select(d => d.Id));
        else
            Enqueue(deliveries.Select(d => d.Id));

        WebhookDelivery New(Guid? subscriptionId, string url) => new()
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = workspaceId,
            SubscriptionId = subscriptionId,
            Url = url,
            EventType = type,
            Payload = body,
            CreatedAt = now,
            Status = WebhookDeliveryStatus.Pending,
            NextAttemptAt = now,
        };
    }

    /// <summary>The first attempt of each committed delivery (see <see cref="PublishAsync(Guid, string, object, string?, List{Guid}?, CancellationToken)"/>).</summary>
    public void Enqueue(IEnumerable<Guid> deliveryIds)
    {
        foreach (var id in deliveryIds)
            queue.Enqueue(id, 1);
    }
}
