using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using ReconcileApi.Features.Dashboard;

namespace ReconcileApi.Tests;

/// <summary>
/// The dashboard's page and assets as served (the browser test, <c>DashboardBrowserTests</c>, shows them drawn):
/// public, not rate limited, out of the contract, under a policy that allows only this service's own scripts and styles.
/// </summary>
public sealed partial class DashboardTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static readonly string[] Assets = ["/dashboard", "/dashboard/dashboard.js", "/dashboard/dashboard.css"];

    [Fact]
    public async Task Page_IsPublic_AndCarriesAStrictPolicyOfItsOwn()
    {
        using var anonymous = factory.CreateClient();

        var response = await anonymous.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(DashboardApi.ContentSecurityPolicy, policy);
        Assert.Contains("default-src 'self';", policy);
        Assert.Contains("script-src 'self';", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("/dashboard/dashboard.js", "text/javascript")]
    [InlineData("/dashboard/dashboard.css", "text/css")]
    public async Task Assets_AreServedWithTheirType_AndRevalidatedByETag(string path, string mediaType)
    {
        using var anonymous = factory.CreateClient();

        var first = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(mediaType, first.Content.Headers.ContentType?.MediaType);
        Assert.True((await first.Content.ReadAsByteArrayAsync()).Length > 500, $"{path} is nearly empty.");
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        var etag = first.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"{path} has no ETag.");

        var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task Page_HasNoInlineScriptOrStyle_AndLoadsNothingFromElsewhere()
    {
        using var anonymous = factory.CreateClient();
        var html = await anonymous.GetStringAsync("/dashboard");
        var script = await anonymous.GetStringAsync("/dashboard/dashboard.js");
        var style = await anonymous.GetStringAsync("/dashboard/dashboard.css");

        var scripts = ScriptTag().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(["<script src=\"/dashboard/dashboard.js\" defer>"], scripts);
        Assert.DoesNotMatch(InlineHandlerOrStyle(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        // The one absolute URL allowed is the SVG namespace, which names and loads nothing.
        foreach (var (name, text) in new[] { ("page", html), ("script", script), ("style", style) })
        {
            var urls = AbsoluteUrl().Matches(text).Select(m => m.Value).Where(u => u != "http://www.w3.org/2000/svg").ToList();
            Assert.True(urls.Count == 0, $"The {name} names {string.Join(", ", urls)}: the dashboard loads nothing from elsewhere.");
            Assert.DoesNotContain("@import", text);
            Assert.DoesNotContain("@font-face", text);
        }
        // Nothing in the script writes markup from data or evaluates text.
        Assert.DoesNotMatch(UnsafeScript(), script);
    }

    [Fact]
    public async Task PageAndAssets_AreNotRateLimited()
    {
        using var limited = factory.WithWebHostBuilder(b => b.UseSetting("RateLimit:PermitsPerMinute", "2"));
        using var anonymous = limited.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            foreach (var path in Assets)
                statuses.Add((await anonymous.GetAsync(path)).StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        // The API behind it still is: the limiter is on, the dashboard is simply outside it.
        Assert.Contains(HttpStatusCode.TooManyRequests, await StatusesAsync(anonymous, "/api/v1/runs", 4));
    }

    [Fact]
    public async Task TheContract_DoesNotListTheDashboard()
    {
        using var admin = factory.CreateAdminClient();

        var document = await admin.GetStringAsync("/swagger/v1/swagger.json");

        Assert.DoesNotContain("/dashboard", document);
    }

    static async Task<List<HttpStatusCode>> StatusesAsync(HttpClient client, string path, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
            statuses.Add((await client.GetAsync(path)).StatusCode);
        return statuses;
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"\s(on[a-z]+|style)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();

    [GeneratedRegex(@"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s""')]*", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex(@"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(")]
    private static partial Regex UnsafeScript();
}
