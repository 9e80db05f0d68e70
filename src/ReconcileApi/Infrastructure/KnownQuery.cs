using System.Runtime.CompilerServices;
using System.Collections.Frozen;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// A query parameter the operation does not read is a 400 naming it: <c>?stat=resolved</c> (a typo of <c>state</c>) listed the
/// default open discrepancies under a 200, and <c>?timezon=</c> on an ingest read the times in the workspace's zone, answers a
/// Make or Zapier step passes on as if they were what it asked for. The parameters an operation reads are the ones its
/// contract documents (ApiExplorer's, plus those a binder reads, <see cref="OpenApi.BinderParameter"/>). Checked on every
/// operation of the API: <c>GET /webhooks?status=failed</c> (meant for the deliveries) or <c>DELETE /schedules/{id}?dryRun=true</c>
/// answered as if the parameter were not there, and deleted; <see cref="Document"/> puts the 400 in the contract of the
/// operations that had none. A parameter sent empty was dropped before (<see cref="EmptyQuery"/>).
/// </summary>
public sealed class KnownQuery : IEndpointFilter
{
    /// <summary>Per endpoint, read once; weak, so the endpoints of a host that stopped (tests start many) are not held.</summary>
    static readonly ConditionalWeakTable<Endpoint, Parameters> Known = new();

    sealed record Parameters(FrozenSet<string>? Names);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Query.Count > 0 && http.GetEndpoint() is { } endpoint && Of(endpoint, http.RequestServices) is { } known)
        {
            var unknown = http.Request.Query.Keys.Where(k => !known.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                var notRead = NotRead(known);
                return Problems.InvalidQuery(unknown.ToDictionary(k => k, _ => new[] { notRead }));
            }
        }
        return await next(context);
    }

    /// <summary>What a parameter the operation does not read is told, naming those it reads.</summary>
    public static string NotRead(IReadOnlyCollection<string> known) =>
        "Is not a query parameter of this operation. " + (known.Count == 0
            ? "This operation reads no query parameters (its input, if any, goes in the body)."
            : $"This operation reads: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");

    static FrozenSet<string>? Of(Endpoint endpoint, IServiceProvider services)
    {
        if (!Known.TryGetValue(endpoint, out var parameters))
        {
            parameters = new Parameters(Read(endpoint, services));
            Known.AddOrUpdate(endpoint, parameters);
        }
        return parameters.Names;
    }

    /// <summary>
    /// The 400 every operation of the API may answer (an unknown query parameter), in the contract of those whose own metadata
    /// has none: a GET of one resource, a DELETE, a POST without a body.
    /// </summary>
    public static void Document(EndpointBuilder endpoint)
    {
        if (!endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == StatusCodes.Status400BadRequest))
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
    }

    /// <summary>The query parameters the endpoint's contract documents; null when it is not in the contract.</summary>
    static FrozenSet<string>? Read(Endpoint endpoint, IServiceProvider services)
    {
        var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var description = services.GetRequiredService<IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items
            .SelectMany(g => g.Items)
            .FirstOrDefault(d => name is not null && d.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().Any(n => n.EndpointName == name));
        if (description is null)
            return null;
        return description.ParameterDescriptions.Where(p => p.Source == BindingSource.Query).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Concat(endpoint.Metadata.OfType<OpenApi.BinderParameter>().Where(p => p.In == Microsoft.OpenApi.ParameterLocation.Query).Select(p => p.Name))
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
