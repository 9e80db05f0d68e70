using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Behind a reverse proxy that ends HTTPS (README, "Deploy"): with <c>ForwardedHeaders:Enabled</c> the request's
/// scheme and client address come from the proxy's <c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c>, so the
/// rate limit for callers without a key counts each client, not the proxy. Only a proxy on loopback or in
/// <c>ForwardedHeaders:KnownNetworks</c> is believed; anyone else's forwarded headers are ignored.
/// </summary>
public static class ReverseProxy
{
    public static WebApplication UseReverseProxyHeaders(this WebApplication app, ServiceOptions options)
    {
        if (!options.ForwardedHeaders.Enabled)
            return app;
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
            ForwardLimit = options.ForwardedHeaders.ForwardLimit,
        };
        foreach (var network in options.ForwardedHeaders.Networks()!)
            forwarded.KnownIPNetworks.Add(network);
        app.UseForwardedHeaders(forwarded);
        return app;
    }
}
