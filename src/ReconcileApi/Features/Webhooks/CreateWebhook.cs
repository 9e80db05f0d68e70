using FluentValidation;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Features.Webhooks;

/// <summary><c>secret</c> is optional: leave it out and one is generated (<c>whsec_</c> + base64 of 32 random bytes).</summary>
public sealed record CreateWebhookRequest(string Url, string[] Events, string? Secret = null);

public sealed class CreateWebhookRequestValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookRequestValidator(IHostResolver resolver, IOptions<ServiceOptions> options)
    {
        var allowPrivateTargets = options.Value.Webhooks.AllowPrivateTargets;
        RuleFor(r => r.Url).NotEmpty().WithMessage("Is required: the URL to deliver to.").OutboundUrl(resolver, allowPrivateTargets);
        RuleFor(r => r.Events).NotEmpty().WithMessage($"Name at least one event type: {string.Join(", ", WebhookEventTypes.All)}.")
            .Must(events => events.All(WebhookEventTypes.All.Contains))
            .WithMessage(r => $"Unknown event type(s): {string.Join(", ", r.Events.Where(e => !WebhookEventTypes.All.Contains(e)).Select(e => $"'{e}'"))}; " +
                $"the event types are {string.Join(", ", WebhookEventTypes.All)}.");
        // Written as base64 writes it: the decoder skips spaces and line breaks anywhere, so a secret padded with them was
        // accepted and kept as sent — past its 200-character column (a 500 on SQL Server), with control characters.
        RuleFor(r => r.Secret).Must(s => WebhookSecrets.KeyOf(s) is not null && !s!.AsSpan().ContainsAny(" \t\r\n")).When(r => r.Secret is not null)
            .WithMessage($"Must be '{WebhookSecrets.Prefix}' followed by the base64 of {WebhookSecrets.MinBytes} to {WebhookSecrets.MaxBytes} random bytes; or leave it out and one is generated.");
    }
}

/// <summary>POST /api/v1/webhooks — subscribe a URL to event types; the answer shows the signing secret once.</summary>
public static class CreateWebhook
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/webhooks", Handle)
        .WithName(nameof(CreateWebhook))
        .WithSummary("Subscribe a URL to event types (the signing secret is shown once)")
        .WithDescription("Events: run.succeeded, run.failed, alert.triggered, discrepancy.created. Deliveries follow Standard Webhooks " +
            "(webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body keyed with the secret's decoded bytes>). " +
            "The URL must be reachable on the public internet (not loopback, private, link-local or metadata addresses).")
        .ProducesValidationProblem()
        .ProducesProblemSaying(StatusCodes.Status409Conflict, Full)
        .WithExamples(request: new CreateWebhookRequest("https://hooks.example.com/reconcile", [WebhookEventTypes.RunFailed, WebhookEventTypes.AlertTriggered]),
            response: WebhookExamples.Created);

    /// <summary>Every event fans out to each subscription: a bound keeps one workspace from multiplying deliveries without end.</summary>
    public const int MaxPerWorkspace = 20;

    static readonly string Full = $"The workspace has {MaxPerWorkspace} webhooks, the most it may have; delete one (DELETE /api/v1/webhooks/{{id}}) or let one URL take several events.";

    public static async Task<Results<Created<WebhookCreated>, ProblemHttpResult>> Handle(
        CreateWebhookRequest request, ClaimsPrincipal user, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        if (await db.WebhookSubscriptions.CountAsync(s => s.WorkspaceId == workspaceId, ct) >= MaxPerWorkspace)
            return Problems.Conflict(Full);
        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = workspaceId,
            Url = request.Url,
            Events = string.Join(',', request.Events.Distinct()),
            Secret = request.Secret ?? WebhookSecrets.Generate(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);
        var shown = WebhookResponse.Of(subscription);
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}",
            new WebhookCreated(shown.Id, shown.Url, shown.Events, subscription.Secret, shown.CreatedAt));
    }
}
