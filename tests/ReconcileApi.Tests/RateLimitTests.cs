using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace ReconcileApi.Tests;

/// <summary>Requests are limited per key, and per client address for callers without a valid key.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task AKeyOverItsLimit_Gets429WithRetryAfter_AndOtherKeysAreNotSlowed()
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("RateLimit:PermitsPerMinute", "5"));
        using var busy = await CreateWorkspaceAsync(factory);
        using var quiet = await CreateWorkspaceAsync(factory);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 7; i++)
            answers.Add(await busy.GetAsync("/api/v1/runs"));

        Assert.All(answers.Take(5), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var limited = answers[5];
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "requests a minute");
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync("/api/v1/runs")).StatusCode);
        // Health probes are not limited.
        Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task GuessingKeys_IsLimitedPerClientAddress()
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("RateLimit:PermitsPerMinute", "5"));
        using var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/runs");
            request.Headers.Add("X-Api-Key", $"rk_guess_{i}");
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }

        Assert.All(statuses.Take(5), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    /// <summary>A workspace through the admin API (whose own key is limited too, so only two per test).</summary>
    static async Task<HttpClient> CreateWorkspaceAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory)
    {
        using var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AdminKey);
        var created = await (await admin.PostAsync("/api/v1/admin/workspaces", Api.JsonBody("{\"name\":\"Limited\"}"))).Json();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", created.GetProperty("apiKey").GetString());
        return client;
    }
}
