using System.Net;
using Microsoft.AspNetCore.Hosting;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Tests;

/// <summary>Headers every answer carries, and the contract's visibility outside Development.</summary>
public sealed class SecurityHeadersTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/api/v1/runs")]
    [InlineData("/no/such/page")]
    [InlineData("/hangfire")]
    public async Task EveryAnswer_SaysNoSniff(string path)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task AnAnswerThatShowsAKey_IsNotStored()
    {
        using var admin = factory.CreateAdminClient();

        var response = await admin.PostAsync("/api/v1/admin/workspaces", Api.JsonBody("{\"name\":\"Secret\"}"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task HtmlPages_CarryAStrictContentSecurityPolicy()
    {
        using var admin = factory.CreateAdminClient();

        foreach (var page in new[] { "/swagger/index.html", "/hangfire" })
        {
            var response = await admin.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, policy);
            Assert.Contains("script-src 'self';", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
        }
    }

    [Fact]
    public async Task OutsideDevelopment_TheContractNeedsAKey_UnlessSwaggerIsPublic()
    {
        using var anonymous = factory.CreateClient();
        using var admin = factory.CreateAdminClient();
        using var publicHost = factory.WithWebHostBuilder(b => b.UseSetting("Swagger:Public", "true"));
        using var publicClient = publicHost.CreateClient();

        await (await anonymous.GetAsync("/swagger/v1/swagger.json")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync("/swagger/index.html")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await publicClient.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }
}
