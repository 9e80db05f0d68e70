using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace ReconcileApi.Features.Dashboard;

/// <summary>
/// GET /dashboard — one page, its script and its style sheet, embedded in the assembly so the service serves
/// them wherever it runs (no wwwroot to deploy, no CDN, no external font). They are public and not rate
/// limited: the page holds no data; its script reads the API with the key the user enters (kept in the
/// browser's session storage), and those calls are authenticated and limited like any other.
/// </summary>
public static class DashboardApi
{
    /// <summary>
    /// The page's own policy, stricter than the one <see cref="SecurityHeaders"/> gives other pages: no inline
    /// style either (the page sets none; charts are SVG attributes), no base URL, no form posts anywhere.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public const string PagePath = "/dashboard";

    static readonly Asset Page = Asset.Load("dashboard.html", "text/html; charset=utf-8");
    static readonly Asset Script = Asset.Load("dashboard.js", "text/javascript; charset=utf-8");
    static readonly Asset Style = Asset.Load("dashboard.css", "text/css; charset=utf-8");

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(PagePath)
            .AllowAnonymous()
            .DisableRateLimiting()
            .ExcludeFromDescription();
        group.MapGet("", (HttpContext context) =>
        {
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            // The key may arrive in the fragment (#key=...); the script removes it, and no referrer carries the URL.
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return Serve(context, Page);
        });
        group.MapGet("/dashboard.js", (HttpContext context) => Serve(context, Script));
        group.MapGet("/dashboard.css", (HttpContext context) => Serve(context, Style));
        return app;
    }

    /// <summary>The asset with its ETag; the browser revalidates each time (no-cache), so a new build shows at once.</summary>
    static FileContentHttpResult Serve(HttpContext context, Asset asset)
    {
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag);
    }

    sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue ETag)
    {
        public static Asset Load(string name, string contentType)
        {
            using var stream = typeof(DashboardApi).Assembly.GetManifestResourceStream("Dashboard." + name)
                ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded in the assembly.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var hash = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
            return new Asset(content, contentType, new EntityTagHeaderValue($"\"{hash}\""));
        }
    }
}
