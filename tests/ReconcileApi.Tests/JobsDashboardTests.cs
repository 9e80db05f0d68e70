using System.Net;
using System.Text.RegularExpressions;

namespace ReconcileApi.Tests;

/// <summary>Outside Development the Hangfire dashboard opens only for the admin key (ApiFactory runs as Testing).</summary>
public sealed class JobsDashboardTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Dashboard_Returns401_ToAnAnonymousCaller()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/hangfire");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Dashboard_AsksABrowserForTheKey()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic" && h.Parameter?.StartsWith("realm=") == true);
    }

    /// <summary>CSRF: a page elsewhere posts a form to the dashboard, and the browser adds the admin's Basic credentials.</summary>
    [Fact]
    public async Task Dashboard_RefusesAPost_WithoutItsAntiforgeryToken()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = WorkspaceClient.Basic(ApiFactory.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/enqueued/delete")
        {
            Content = new FormUrlEncodedContent([new("jobs[]", "no-such-job")]),
            Headers = { { "Origin", "https://evil.example" } },
        };

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    /// <summary>The page's script sends the token named in these two tags with every POST.</summary>
    static async Task<(string Header, string Token)> AntiforgeryTokenAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/hangfire/jobs/enqueued");
        var header = Regex.Match(page, "<meta name=\"csrf-header\" content=\"([^\"]+)\"").Groups[1].Value;
        var token = Regex.Match(page, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEqual("", token);
        return (header, token);
    }

    [Fact]
    public async Task Dashboard_AcceptsAPost_WithTheTokenItsPageGave()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = WorkspaceClient.Basic(ApiFactory.AdminKey);
        var (header, token) = await AntiforgeryTokenAsync(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/enqueued/delete")
        {
            Content = new FormUrlEncodedContent([new("jobs[]", "no-such-job")]),
            Headers = { { header, token } },
        };

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("/hangfire/stats")]
    [InlineData("/hangfire/jobs/enqueued/delete")]
    public async Task Dashboard_AnswersAPostThatIsNotAForm_With415(string path)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = WorkspaceClient.Basic(ApiFactory.AdminKey);
        var (header, token) = await AntiforgeryTokenAsync(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent("""{"jobs[]": ["1"]}""", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { header, token } },
        };

        var response = await client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "form");
    }

    [Theory]
    [InlineData("/hangfire/stats")]
    [InlineData("/hangfire/jobs/enqueued/delete")]
    [InlineData("/hangfire/jobs/actions/requeue/1")]
    [InlineData("/hangfire/recurring/trigger")]
    public async Task Dashboard_AnswersAGetOnAPostOnlyRoute_With405(string path)
    {
        using var client = factory.CreateAdminClient();
        var response = await client.GetAsync(path);
        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Dashboard_Returns200_WithTheAdminKey()
    {
        using var client = factory.CreateAdminClient();
        var response = await client.GetAsync("/hangfire");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Contains("Hangfire", body);
    }

    [Fact]
    public async Task Dashboard_Returns200_WithTheAdminKeyAsBasicUserName()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = WorkspaceClient.Basic(ApiFactory.AdminKey);
        var response = await client.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_Returns403_ToAWorkspaceKey()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.GetAsync("/hangfire");
        // Authenticated but not the admin: Hangfire answers 403.
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Dashboard_NamesARunsJobByItsRunAndWorkspace()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var run = await ws.Http.RunAsync();
        using var admin = factory.CreateAdminClient();
        var name = $"Run {run.Str("id")} (workspace {ws.WorkspaceId})";
        var page = "";
        // The job is marked succeeded just after the run (it announces the run first).
        for (var i = 0; i < 100 && !page.Contains(name); i++, await Task.Delay(50))
            page = System.Net.WebUtility.HtmlDecode(await (await admin.GetAsync("/hangfire/jobs/succeeded")).Content.ReadAsStringAsync());
        Assert.Contains(name, page);
    }

    [Fact]
    public async Task Dashboard_Returns401_WithAWrongKey()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-the-admin-key");
        var response = await client.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
