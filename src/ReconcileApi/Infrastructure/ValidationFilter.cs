using System.Reflection;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// The one endpoint filter that runs FluentValidation: every argument with a registered validator
/// is validated, and failures become a validation problem with errors by field. A JSON body's properties that its
/// type does not have, or that it sends twice, are errors too (a typo such as <c>"form"</c> would otherwise fall back to a
/// default silently, a second <c>"from"</c> win silently).
/// </summary>
public sealed class ValidationFilter(IServiceProvider services, IOptions<JsonOptions> json) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // An If-Match (or If-None-Match) that is no list of entity tags is refused here, before the idempotency filter claims the request's key,
        // so the corrected request goes through with the same key.
        foreach (var header in (string[])[ETags.IfMatchHeader, ETags.IfNoneMatchHeader])
        {
            if (context.HttpContext.Request.Headers[header] is { Count: > 0 } value && ReadsHeader(context.HttpContext.GetEndpoint(), header)
                && ETags.Unreadable(header, value.ToString()) is { } unreadable)
                return unreadable;
        }
        Dictionary<string, string[]>? errors = null;
        if (JsonBodies.BodyType(context.HttpContext.GetEndpoint()) is { } bodyType
            && await JsonBodies.ReadBufferedAsync(context.HttpContext.Request) is { Length: > 0 } body
            && JsonBodies.PropertyErrors(body.Span, bodyType, json.Value.SerializerOptions) is { Count: > 0 } unknown)
            errors = unknown;
        foreach (var argument in context.Arguments)
        {
            if (argument is null || services.GetService(typeof(IValidator<>).MakeGenericType(argument.GetType())) is not IValidator validator)
                continue;
            var result = await validator.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
            if (result.IsValid)
                continue;
            errors ??= [];
            foreach (var group in result.Errors.GroupBy(e => e.PropertyName))
                errors[CamelPath(group.Key)] = group.Select(e => e.ErrorMessage).ToArray();
        }
        return errors is null
            ? await next(context)
            : Problems.InvalidFields(errors);
    }

    /// <summary>Whether the endpoint's handler takes the conditional header (the versioned writes); the others ignore it here.</summary>
    static bool ReadsHeader(Endpoint? endpoint, string header) =>
        endpoint?.Metadata.GetMetadata<MethodInfo>()?.GetParameters()
            .Any(p => p.GetCustomAttribute<Microsoft.AspNetCore.Mvc.FromHeaderAttribute>()?.Name == header) == true;

    /// <summary>
    /// Registers the validators and this filter's rule for all of them: a rule stops at its first failure, so a
    /// check never runs on a value its precondition refused (<c>ids</c> missing, then "at most 1,000 ids").
    /// </summary>
    public static IServiceCollection Register(IServiceCollection services)
    {
        ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop;
        return services.AddValidatorsFromAssemblyContaining<ValidationFilter>(ServiceLifetime.Singleton);
    }

    /// <summary>FluentValidation's property path ("Lines[0].Quantity") in the wire's camelCase.</summary>
    public static string CamelPath(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}
