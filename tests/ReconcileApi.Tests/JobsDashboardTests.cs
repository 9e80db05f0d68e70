using System.Net;

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
