namespace ReconcileApi.Infrastructure;

/// <summary>
/// Headers on every answer: <c>X-Content-Type-Options: nosniff</c>; <c>Cache-Control: no-store</c> and <c>Vary: Authorization,
/// X-Api-Key</c> on the API (its answers are a workspace's data, and some carry a key shown once) and on every answer to a
/// request with a key; a strict Content-Security-Policy on the HTML
/// pages the service serves (the Swagger UI and the jobs dashboard): scripts only from the service itself, no
/// framing, no plugins. Styles may be inline: both pages set some. A page that sets a policy of its own (the
/// dashboard's is stricter) keeps it.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The request headers a key travels in: an answer that depends on them varies by them.</summary>
    public const string KeyHeaders = "Authorization, X-Api-Key";

    /// <summary>
    /// Whether the answer is a caller's own: the API's, and any answer to a request that carried a key or was refused one (the
    /// contract outside Development, the jobs dashboard). A shared cache must neither keep it nor hand it to another caller.
    /// </summary>
    static bool Private(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api")
        || context.User.Identity?.IsAuthenticated == true
        || context.Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Authorization)
        || context.Request.Headers.ContainsKey("X-Api-Key")
        || context.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden;

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (Private(context))
                {
                    headers.CacheControl = "no-store";
                    headers.Append(Microsoft.Net.Http.Headers.HeaderNames.Vary, KeyHeaders);
                }
                if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
                    && !headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.ContentSecurityPolicy))
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
