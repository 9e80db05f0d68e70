using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// The URL and header limits, answered as problems. Kestrel refuses a request line over 8 KB (414) and headers over 32 KB (431)
/// itself, before any middleware, with an empty body: the caller sees a status and no word of what was too long. Kestrel
/// now lets through four times that, and this middleware answers the realistic overshoot — a Make URL built from a long
/// mapped value, a browser's cookies for a shared domain — with the same limits as problems saying what was too long and by
/// how much. Past Kestrel's raised limits (far beyond any real caller) its bare answer remains.
/// </summary>
public static class RequestLimits
{
    /// <summary>What a caller may send: the limits of Kestrel's defaults, and of nginx and most proxies in front of it.</summary>
    public const int MaxUrlBytes = 8 * 1024, MaxHeaderBytes = 32 * 1024;

    /// <summary>Kestrel's own limits, above ours, so that the requests just over ours reach the middleware.</summary>
    public static void Configure(KestrelServerLimits limits)
    {
        limits.MaxRequestLineSize = 4 * MaxUrlBytes;
        limits.MaxRequestHeadersTotalSize = 4 * MaxHeaderBytes;
    }

    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var url = request.Path.Value!.Length + request.PathBase.Value!.Length + request.QueryString.Value!.Length;
            var headers = request.Headers.Sum(h => h.Key.Length + 4 + h.Value.Sum(v => v?.Length ?? 0));
            if (url > MaxUrlBytes)
            {
                context.Response.StatusCode = StatusCodes.Status414UriTooLong;
                await WriteAsync(context, $"The URL is {url:N0} characters long; at most {MaxUrlBytes:N0} are read. " +
                    (request.QueryString.Value.Length > request.Path.Value.Length
                        ? "Its query string makes most of it: send shorter filter values, or page with limit and cursor."
                        : "Check the path: an id is a few dozen characters."));
                return;
            }
            if (headers > MaxHeaderBytes)
            {
                var largest = request.Headers.MaxBy(h => h.Value.Sum(v => v?.Length ?? 0));
                context.Response.StatusCode = StatusCodes.Status431RequestHeaderFieldsTooLarge;
                await WriteAsync(context, $"The request's headers are {headers:N0} bytes; at most {MaxHeaderBytes:N0} are read. " +
                    $"The largest is {largest.Key} ({largest.Value.Sum(v => v?.Length ?? 0):N0} bytes).");
                return;
            }
            await next(context);
        });
        return app;
    }

    static Task WriteAsync(HttpContext context, string detail) =>
        context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new() { Status = context.Response.StatusCode, Detail = detail },
        }).AsTask();
}
