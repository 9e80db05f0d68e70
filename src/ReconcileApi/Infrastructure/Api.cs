using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace ReconcileApi.Infrastructure;

public static class Api
{
    /// <summary>
    /// The /api/v1 group of one feature: its tag and what the tag groups (the contract's tag description, which the Swagger UI
    /// shows above the operations), auth (workspace keys, or the admin key), validation, and the problems every operation can answer.
    /// </summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string tag, string description, string policy = Auth.WorkspacePolicy)
    {
        var group = app.MapGroup("/api/v1")
            .WithTags(tag)
            .WithMetadata(new OpenApi.TagDescription(tag, description))
            .RequireAuthorization(policy)
            .RequireRateLimiting(RateLimits.Policy)
            .AddEndpointFilter<KnownQuery>()
            .AddEndpointFilter<ETags.UnversionedFilter>()
            .AddEndpointFilter<ETags.NotModifiedFilter>()
            .AddEndpointFilter<ValidationFilter>()
            .AddEndpointFilter<Idempotency.Filter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            // A valid key of the other kind: the admin key on a workspace's data, a workspace key on the admin operations.
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithResponseHeader(StatusCodes.Status429TooManyRequests, "Retry-After", "Seconds to wait before the next request with this key.", integer: true)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            // The database stayed locked by another writer past the service's wait (Races.IsDatabaseBusy).
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before sending the request again.", integer: true);
        ((IEndpointConventionBuilder)group).Finally(ETags.DocumentUnversioned);
        ((IEndpointConventionBuilder)group).Finally(KnownQuery.Document);
        ((IEndpointConventionBuilder)group).Finally(ETags.DocumentNotModified);
        // Where a body is read, one trickled below Kestrel's minimum data rate is cut off with a 408 saying so (BindingFailures).
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<IAcceptsMetadata>().Any())
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status408RequestTimeout, typeof(ProblemDetails), ["application/problem+json"]));
        });
        // The filter honours Idempotency-Key for workspace callers only (an admin request passes through it).
        if (policy == Auth.WorkspacePolicy)
            group.WithMetadata(new Idempotency.Honoured());
        return group;
    }
}
