using Microsoft.Net.Http.Headers;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Request bodies are read as sent, and as UTF-8. A body in a content coding (gzip, br, deflate) is not decompressed — a
/// few compressed kilobytes can expand past every size limit — and one declared in another charset is not transcoded:
/// either would reach a JSON or CSV reader as bytes it misreads ("'0x1F' is an invalid start of a value", Latin-1 text
/// rejected as invalid UTF-8, UTF-16 declared but UTF-8 read), so each is a 415 saying what to send.
/// </summary>
public static class BodyEncoding
{
    /// <summary>Why a body sent with this <c>Content-Encoding</c> cannot be read, or null: none, or only <c>identity</c>.</summary>
    public static string? CodingFault(string contentEncoding)
    {
        var codings = contentEncoding.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return codings.All(c => c.Equals("identity", StringComparison.OrdinalIgnoreCase)) ? null
            : $"Content-Encoding '{contentEncoding}' is not supported: send the body uncompressed (no Content-Encoding).";
    }

    /// <summary>
    /// Why a body of this <c>Content-Type</c> cannot be read, or null: a charset other than UTF-8 (<c>utf8</c> and US-ASCII,
    /// a subset of it, are read). A multipart body's own parts say theirs.
    /// </summary>
    public static string? CharsetFault(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || !type.Charset.HasValue
            || type.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
            return null;
        var charset = HeaderUtilities.RemoveQuotes(type.Charset).ToString().Trim();
        return charset.ToLowerInvariant() is "utf-8" or "utf8" or "us-ascii" or "ascii" ? null
            : $"The body is declared as charset={charset}; send it as UTF-8 (charset=utf-8, or no charset).";
    }

    /// <summary>
    /// The Content-Type of a body <see cref="CharsetFault"/> accepted, its charset written <c>utf-8</c> (other parameters
    /// kept), or null when it names no charset or already names it so. The framework's JSON binding looks the charset up as
    /// an encoding name: <c>utf8</c> and a quoted <c>"utf-8"</c> (RFC 9110, 5.6.6: the same value) are no names it knows, an
    /// unhandled exception and a 500 on every operation but ingest, and it decoded <c>us-ascii</c> as ASCII, so each
    /// non-ASCII letter of a body read as UTF-8 everywhere else was stored as '?' ("café" became "caf??").
    /// </summary>
    public static string? AsUtf8(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || !type.Charset.HasValue
            || type.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return null;
        type.Charset = "utf-8";
        return type.ToString();
    }

    /// <summary>
    /// Refuses, for every endpoint, a body this service would misread, and declares the one it reads as UTF-8 in the form
    /// every reader knows (<see cref="AsUtf8"/>). A request without a body has nothing to misread, whatever its headers say
    /// (a tool that sends its Content-Type on every GET): it goes on, and an operation that needs a body says so (400), as
    /// the contract documents for each.
    /// </summary>
    public static WebApplication UseBodyEncodingCheck(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (HasBody(context.Request)
                && (CodingFault(context.Request.Headers.ContentEncoding.ToString()) ?? CharsetFault(context.Request.ContentType)) is { } fault)
            {
                await Problems.UnsupportedMediaType(fault).ExecuteAsync(context);
                return;
            }
            if (AsUtf8(context.Request.ContentType) is { } utf8)
                context.Request.ContentType = utf8;
            await next(context);
        });
        return app;
    }

    /// <summary>Whether the request carries a body: a Content-Length above zero, or one that is chunked (no Content-Length).</summary>
    static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0
        || request.ContentLength is null && request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false;
}
