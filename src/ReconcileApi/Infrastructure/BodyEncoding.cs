using Microsoft.Net.Http.Headers;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Request bodies are read as sent. A body in a content coding (gzip, br, deflate) is not decompressed — a few
/// compressed kilobytes can expand past every size limit — so it is a 415 saying to send it uncompressed, instead of
/// reaching a JSON or CSV reader as bytes it misreads ("'0x1F' is an invalid start of a value").
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

    /// <summary>Refuses, for every endpoint, a body this service would misread.</summary>
    public static WebApplication UseBodyEncodingCheck(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (CodingFault(context.Request.Headers.ContentEncoding.ToString()) is { } fault)
                await Problems.UnsupportedMediaType(fault).ExecuteAsync(context);
            else
                await next(context);
        });
        return app;
    }
}
