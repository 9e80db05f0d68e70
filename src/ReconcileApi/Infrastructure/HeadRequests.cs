namespace ReconcileApi.Infrastructure;

/// <summary>
/// HEAD is answered wherever GET is (RFC 9110, 9.3.2: a server that supports GET supports HEAD): the request is
/// routed and handled as the GET it asks about — the same status and headers — and its body is dropped. Endpoints
/// are declared for GET alone, so the contract has one operation per path, as generated clients expect.
/// </summary>
public static class HeadRequests
{
    /// <summary>Registers the rewrite and then routing, which must see the request as a GET.</summary>
    public static WebApplication UseHeadAsGet(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await next(context);
                return;
            }
            var body = context.Response.Body;
            context.Request.Method = HttpMethods.Get;
            context.Response.Body = Stream.Null;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = body;
                context.Request.Method = HttpMethods.Head;
            }
        });
        app.UseRouting();
        return app;
    }

    /// <summary>
    /// Lists HEAD in a 405's Allow wherever it lists GET: routing's 405 names the methods the endpoints declare, and none
    /// declares the HEAD that <see cref="UseHeadAsGet"/> serves. Registered right before the endpoints, so that the 405
    /// has not been written yet (its problem body comes from the status code pages outside).
    /// </summary>
    public static WebApplication UseHeadInAllow(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            await next(context);
            var response = context.Response;
            if (response.StatusCode != StatusCodes.Status405MethodNotAllowed || response.HasStarted)
                return;
            var allowed = response.Headers.Allow.ToString().Split(',', StringSplitOptions.TrimEntries).ToList();
            var get = allowed.IndexOf(HttpMethods.Get);
            if (get < 0 || allowed.Contains(HttpMethods.Head))
                return;
            allowed.Insert(get + 1, HttpMethods.Head);
            response.Headers.Allow = string.Join(", ", allowed);
        });
        return app;
    }
}
