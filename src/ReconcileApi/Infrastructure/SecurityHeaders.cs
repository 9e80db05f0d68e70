namespace ReconcileApi.Infrastructure;

/// <summary>
/// Headers on every answer: <c>X-Content-Type-Options: nosniff</c>; <c>Cache-Control: no-store</c> on the API (its
/// answers are a workspace's data, and some carry a key shown once); a strict Content-Security-Policy on the HTML
/// pages the service serves (the Swagger UI and the jobs dashboard): scripts only from the service itself, no
/// framing, no plugins. Styles may be inline: both pages set some. A page that sets a policy of its own (the
/// dashboard's is stricter) keeps it.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (context.Request.Path.StartsWithSegments("/api"))
                    headers.CacheControl = "no-store";
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
