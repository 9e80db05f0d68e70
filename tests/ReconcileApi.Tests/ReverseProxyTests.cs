using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace ReconcileApi.Tests;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address; with <c>ForwardedHeaders:Enabled</c> the
/// client's address is read from <c>X-Forwarded-For</c>, so the per-address limit for callers without a valid key
/// counts each client instead of throttling everyone behind the proxy at once.
/// </summary>
public sealed class ReverseProxyTests
{
    [Theory]
    [InlineData(true, HttpStatusCode.Unauthorized)]
    [InlineData(false, HttpStatusCode.TooManyRequests)]
    public async Task ForwardedFor_IsTheClientAddress_OnlyWhenEnabled(bool enabled, HttpStatusCode otherClient)
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("RateLimit:PermitsPerMinute", "2")
            .UseSetting("ForwardedHeaders:Enabled", enabled ? "true" : "false"));
        using var client = factory.CreateClient();

        async Task<HttpStatusCode> Guess(string clientAddress)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/runs");
            request.Headers.Add("X-Api-Key", "rk_guess");
            request.Headers.Add("X-Forwarded-For", clientAddress);
            request.Headers.Add("X-Forwarded-Proto", "https");
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await Guess("203.0.113.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Guess("203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Guess("203.0.113.1"));
        Assert.Equal(otherClient, await Guess("203.0.113.2"));
    }
}
