using System.Globalization;
using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// The one place that mints problem responses (RFC 9457). Every non-2xx answer is
/// application/problem+json with a traceId; expected outcomes are returned, not thrown.
/// </summary>
public static class Problems
{
    public const int DatabaseBusyRetrySeconds = 5, StorageUnavailableRetrySeconds = 30;

    /// <summary>The 503 of a request whose database stayed locked by another writer past the service's wait.</summary>
    public const string DatabaseBusy = "The database stayed locked by another writer (a backup, a migration or another process on the file) for longer than the service waits, so this request did not finish; send it again after 5 s (an Idempotency-Key is not used up by this answer).";

    /// <summary>A 404 naming what was looked for; <paramref name="inWorkspace"/> false for what belongs to no workspace (the admin's workspaces and keys).</summary>
    public static ProblemHttpResult NotFound(string what, object id, bool inWorkspace = true) =>
        Problem(StatusCodes.Status404NotFound, $"{what} '{id}' was not found{(inWorkspace ? " in this workspace" : "")}.");

    public static ProblemHttpResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status400BadRequest, detail, extensions);

    /// <summary>A 400 about one field (or query parameter), in the <c>errors</c> shape of the validation problems; the detail says it in a sentence.</summary>
    public static ProblemHttpResult Invalid(string field, string message, string detail) =>
        BadRequest(detail, new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status409Conflict, detail, extensions);

    public static ProblemHttpResult PreconditionFailed(string detail) =>
        Problem(StatusCodes.Status412PreconditionFailed, detail);

    public static ProblemHttpResult PayloadTooLarge(string detail) =>
        Problem(StatusCodes.Status413PayloadTooLarge, detail);

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, detail);

    public static ProblemHttpResult Unprocessable(string detail) =>
        Problem(StatusCodes.Status422UnprocessableEntity, detail);

    /// <summary>The 408 of a body trickled below Kestrel's minimum data rate (<see cref="BindingFailures"/>).</summary>
    public const string BodyTooSlow = "The body came too slowly: after its first 5 s a body must arrive at 240 bytes a second or more. Send it at once, not trickled.";

    /// <summary>What a validation problem about a body's fields says beside its <c>errors</c>.</summary>
    public const string FieldsInvalid = "One or more fields are invalid; see errors.";

    /// <summary>
    /// Errors one answer lists at most: a body of 300,000 made-up properties was answered with an error for each (23 MB built
    /// and sent for a 4.5 MB request); the first hundred say what is wrong as well.
    /// </summary>
    public const int MaxErrors = 100;

    /// <summary>A 400 for a body's fields, by their paths in <c>errors</c>; past <see cref="MaxErrors"/> the first of them, and the detail says so.</summary>
    public static ValidationProblem InvalidFields(Dictionary<string, string[]> errors) =>
        errors.Count <= MaxErrors
            ? TypedResults.ValidationProblem(errors, detail: FieldsInvalid)
            : TypedResults.ValidationProblem(errors.Take(MaxErrors).ToDictionary(),
                detail: $"More than {MaxErrors} fields are invalid; errors lists the first {MaxErrors} of them.");

    /// <summary>A 400 for query parameters, by name in <c>errors</c> and in the detail (which a no-code tool may show alone).</summary>
    public static ValidationProblem InvalidQuery(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: $"Invalid query parameter{(errors.Count == 1 ? "" : "s")}: {string.Join(", ", errors.Keys)}; see errors.");

    public static ProblemHttpResult Problem(int status, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status), extensions: extensions);

    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? ctx.HttpContext.TraceIdentifier;
            // The title belongs to the type (RFC 9457, 3.1.3), and our types are the status's: a validation problem's own default
            // ("One or more validation errors occurred.") made two titles for one type; what went wrong is in detail and errors.
            ctx.ProblemDetails.Title = ReasonPhrases.GetReasonPhrase(ctx.ProblemDetails.Status ?? 500) is { Length: > 0 } phrase ? phrase : ctx.ProblemDetails.Title;
            ctx.ProblemDetails.Type ??= DefaultType(ctx.ProblemDetails.Status ?? 500);
            ctx.ProblemDetails.Detail ??= DefaultDetail(ctx.HttpContext.Request, ctx.ProblemDetails.Status ?? 500);
        });
        // After the default writer: it declines when Accept names no JSON type (a CSV export's text/csv),
        // and the problem would then go out without the customization above (no traceId), or not at all.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures (bad JSON, wrong content type, oversized body) reach the handler below
        // instead of becoming an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>
    /// The type of a problem whose status ASP.NET Core gives none (it knows RFC 9110's): RFC 6585's 429 and 431 name their
    /// section as the others do; anything else is <c>about:blank</c>, what a problem without a type means (RFC 9457, 3.1.1).
    /// </summary>
    static string DefaultType(int status) => status switch
    {
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "https://tools.ietf.org/html/rfc6585#section-5",
        _ => "about:blank",
    };

    /// <summary>What an otherwise empty error answer (from routing or the framework) says went wrong.</summary>
    static string? DefaultDetail(HttpRequest request, int status) => status switch
    {
        StatusCodes.Status404NotFound => MalformedId(request) ?? $"No endpoint matches {request.Method} {request.Path}; see /swagger for the API.",
        StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
        StatusCodes.Status415UnsupportedMediaType => $"Content-Type '{request.ContentType}' is not supported by {request.Method} {request.Path}; {WhatToSend(request)}",
        _ => null,
    };

    /// <summary>
    /// A path that names an operation but for an id of the wrong form (<c>/runs/1001</c>: a Make or Zapier step that mapped an order
    /// number where a run id goes): routing's constraint refused it, and the 404 said no such endpoint existed, sending the caller to
    /// the paths when the id was wrong. Found again here as the 415's body types are: the walk runs only for a 404 without an endpoint.
    /// </summary>
    static string? MalformedId(HttpRequest request)
    {
        if (request.HttpContext.GetEndpoint() is not null || request.Path.Value is not { Length: > 1 } path)
            return null;
        var segments = path.Trim('/').Split('/');
        var method = HttpMethods.IsHead(request.Method) ? HttpMethods.Get : request.Method;
        var endpoints = request.HttpContext.RequestServices.GetService<EndpointDataSource>()?.Endpoints ?? [];
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            if (pattern.PathSegments.Count != segments.Length
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods && !methods.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase))
                continue;
            string? wrong = null;
            var matches = true;
            for (var i = 0; i < segments.Length && matches; i++)
            {
                var parts = pattern.PathSegments[i].Parts;
                if (parts is [RoutePatternLiteralPart literal])
                    matches = literal.Content.Equals(segments[i], StringComparison.OrdinalIgnoreCase);
                else if (parts is [RoutePatternParameterPart { IsCatchAll: false } parameter] && parameter.ParameterPolicies.Count > 0)
                {
                    var form = parameter.ParameterPolicies[0].Content switch
                    {
                        "guid" => "a GUID (such as 01a23b8c-1061-7f6f-b18e-a9de4df7da02)",
                        "long" or "int" => "a whole number",
                        _ => null,
                    };
                    if (form is not null && !RouteValueFits(parameter.ParameterPolicies[0].Content!, segments[i]))
                        wrong ??= $"'{segments[i]}' cannot be the {{{parameter.Name}}} of {method} /{string.Join('/', pattern.PathSegments.Select(Text))}: " +
                            $"it is {form}. Check the value mapped into the URL.";
                }
                else if (parts is not [RoutePatternParameterPart])
                    matches = false;
            }
            if (matches && wrong is not null)
                return wrong;
        }
        return null;

        static string Text(RoutePatternPathSegment segment) => string.Concat(segment.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternParameterPart q => "{" + q.Name + "}",
            _ => "",
        }));
    }

    static bool RouteValueFits(string constraint, string value) => constraint switch
    {
        "guid" => Guid.TryParse(value, out _),
        _ => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
    };

    /// <summary>
    /// The body types of the operation at the request's method and path. Routing refuses a type no candidate accepts
    /// before it selects an endpoint, so the candidates are found again here (a 415 is rare; the walk costs nothing otherwise).
    /// </summary>
    static IReadOnlyList<string>? AcceptedBy(HttpRequest request)
    {
        if (request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { } own)
            return own.ContentTypes;
        var endpoints = request.HttpContext.RequestServices.GetService<EndpointDataSource>()?.Endpoints ?? [];
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not { } accepts
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods
                || !methods.HttpMethods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
                continue;
            if (Matches(endpoint.RoutePattern.RawText, request.Path))
                return accepts.ContentTypes;
        }
        return null;
    }

    /// <summary>Whether a route template matches a path (its constraints aside); a template this cannot parse matches nothing.</summary>
    static bool Matches(string? template, PathString path)
    {
        try
        {
            return new TemplateMatcher(TemplateParser.Parse(template ?? ""), []).TryMatch(path, []);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// The body types the operation takes, and for a form post how it came to be one: Zapier's Webhooks POST sends a form
    /// unless its Payload Type is set to json, and so does <c>curl -d</c> without a Content-Type header.
    /// </summary>
    static string WhatToSend(HttpRequest request)
    {
        var accepted = AcceptedBy(request)?.Where(t => t is not "text/plain" and not "application/csv").ToList();
        var send = accepted is { Count: > 0 } ? $"send {string.Join(", ", accepted)}." : "see the operation's request body types in /swagger.";
        return Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? send + " A form post: in Zapier's Webhooks POST set Payload Type to json; with curl add -H 'Content-Type: application/json'."
            : send;
    }

    public static WebApplication UseProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        // Empty 4xx/5xx answers (unknown routes, 405, the auth challenge) become problems too.
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Writes a problem whatever the request accepts: an error is problem+json even for a caller that asked for CSV.</summary>
    sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            options.Value.CustomizeProblemDetails?.Invoke(context);
            var problem = context.ProblemDetails;
            return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json"));
        }
    }

    /// <summary>Turns exceptions into problems; only the trace id of an unexpected one leaves the process.</summary>
    sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            // Binding failures (a body or query parameter that does not read as its type) name the field, in the caller's terms.
            var problem = exception is BadHttpRequestException bad ? await BindingFailures.DescribeAsync(httpContext, bad)
                : Races.IsDatabaseBusy(exception) ? Busy(httpContext)
                : Races.StorageUnavailable(exception) is { } why ? Unwritable(httpContext, why)
                : new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Detail = "An unexpected error occurred. Quote the traceId when reporting it." };
            if (problem.Status == StatusCodes.Status503ServiceUnavailable && Races.IsDatabaseBusy(exception))
                logger.LogWarning(exception, "The database stayed busy for {Method} {Path}; answered 503", httpContext.Request.Method, httpContext.Request.Path);
            else if (problem.Status == StatusCodes.Status503ServiceUnavailable)
                logger.LogError(exception, "The database cannot be written for {Method} {Path}; answered 503", httpContext.Request.Method, httpContext.Request.Path);
            else if (problem.Status >= 500)
                logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Response.StatusCode = problem.Status!.Value;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem });
        }


        /// <summary>The 503 of a write the database refused because its disk is full or its file read-only: the operator's to clear.</summary>
        static ProblemDetails Unwritable(HttpContext httpContext, string why)
        {
            httpContext.Response.Headers.RetryAfter = StorageUnavailableRetrySeconds.ToString(CultureInfo.InvariantCulture);
            return new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = $"The database cannot be written just now: {why}. Nothing of this request was kept; send it again once " +
                    $"the database takes writes (an Idempotency-Key is not used up by this answer). Reads still answer.",
            };
        }

        static ProblemDetails Busy(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = DatabaseBusyRetrySeconds.ToString(CultureInfo.InvariantCulture);
            return new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = DatabaseBusy,
            };
        }
    }
}
