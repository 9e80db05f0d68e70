using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

public sealed class TenancyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task TheDevelopmentKey_Returns401_OutsideDevelopment_OnADatabaseFirstServedInDevelopment()
    {
        const string developmentKey = "rk_dev_local_only_key";
        using var host = new ApiFactory();
        await using (var development = host.WithWebHostBuilder(b => b.UseEnvironment("Development")))
        {
            using var client = development.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", developmentKey);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/runs")).StatusCode);
        }
        await using var production = host.WithWebHostBuilder(b => b.UseEnvironment("Production"));
        using var refused = production.CreateClient();
        refused.DefaultRequestHeaders.Add("X-Api-Key", developmentKey);

        await (await refused.GetAsync("/api/v1/runs")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task KeyOfWorkspaceA_Gets404_ForWorkspaceBsRunsBatchesOrdersAndDiscrepancies()
    {
        using var a = await factory.CreateWorkspaceAsync();
        using var b = await factory.CreateWorkspaceAsync();
        var batch = await b.Http.PostAsJsonAsync("/api/v1/sources/store/orders", new[] { Order("B1", date: DefaultDate.AddDays(-1)), Order("B2") });
        await b.Http.IngestAsync("keap", new[] { Order("KB2", "#B2") });
        var run = await b.Http.RunAsync();
        var runId = run.GetProperty("id").GetGuid();
        var discrepancyId = Assert.Single(await b.Http.DiscrepanciesAsync()).GetProperty("id").GetInt64();

        await (await a.Http.GetAsync($"/api/v1/runs/{runId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.GetAsync($"/api/v1/runs/{runId}/discrepancies")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.GetAsync($"/api/v1/runs/{runId}/pending")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.PostAsync($"/api/v1/runs/{runId}/cancel", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.GetAsync(batch.Headers.Location)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.GetAsync("/api/v1/sources/store/orders/B1")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.GetAsync($"/api/v1/discrepancies/{discrepancyId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.GetAsync($"/api/v1/discrepancies/{discrepancyId}/history")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await a.Http.PostAsJsonAsync($"/api/v1/discrepancies/{discrepancyId}/resolution", new { action = "acknowledge", resolvedBy = "a" }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await a.Http.DiscrepanciesAsync("?state=all"));
        Assert.Empty((await (await a.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());

        // B still sees its own.
        Assert.Equal(HttpStatusCode.OK, (await b.Http.GetAsync($"/api/v1/discrepancies/{discrepancyId}")).StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/runs")]
    [InlineData("/api/v1/discrepancies")]
    [InlineData("/api/v1/sources/store/orders/1")]
    public async Task Request_Returns401Problem_WithoutAKey(string path)
    {
        using var anonymous = factory.CreateClient();
        var response = await anonymous.GetAsync(path);
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task Request_Returns401_WithAnUnknownKey()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "rk_not_a_real_key");
        await (await client.GetAsync("/api/v1/runs")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unknown");
    }

    [Fact]
    public async Task Key_IsAccepted_AsBearerAndAsBasicUserNameOrPassword()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var client = factory.CreateClient();

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ws.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/discrepancies")).StatusCode);

        client.DefaultRequestHeaders.Authorization = WorkspaceClient.Basic(ws.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/discrepancies")).StatusCode);

        // Some tools only fill the password field: ":key".
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(":" + ws.ApiKey)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/discrepancies")).StatusCode);

        // A user name and another password: the user name is the key, as before.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ws.ApiKey + ":ignored")));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/discrepancies")).StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(":")));
        await (await client.GetAsync("/api/v1/discrepancies")).AssertProblemAsync(HttpStatusCode.Unauthorized, "password with an empty user name");
    }

    [Fact]
    public async Task RevokedKey_StopsWorking_AndAnotherKeyOfTheWorkspaceStillWorks()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var admin = factory.CreateAdminClient();
        var second = await (await admin.PostAsync($"/api/v1/admin/workspaces/{ws.WorkspaceId}/keys", null)).Json();
        using var other = factory.CreateClient();
        other.DefaultRequestHeaders.Add("X-Api-Key", second.GetProperty("apiKey").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/keys/{second.GetProperty("keyId").GetGuid()}")).StatusCode);

        await (await other.GetAsync("/api/v1/runs")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync("/api/v1/runs")).StatusCode);
    }

    [Fact]
    public async Task ACreatedWorkspace_IsFoundWhereItsLocationSays_WithItsKeysByPrefix()
    {
        using var admin = factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Listed", timezone = "Europe/Berlin" });
        var body = await created.Json();
        var second = await (await admin.PostAsync($"/api/v1/admin/workspaces/{body.Str("id")}/keys", null)).Json();
        await admin.DeleteAsync($"/api/v1/admin/keys/{second.Str("keyId")}");

        var workspace = await (await admin.GetAsync(created.Headers.Location)).Json();

        Assert.Equal("Listed", workspace.Str("name"));
        Assert.Equal("Europe/Berlin", workspace.Str("timezone"));
        var keys = workspace.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal([body.Str("keyId"), second.Str("keyId")], keys.Select(k => k.Str("keyId")));
        Assert.Equal(body.Str("apiKey")![..12], keys[0].Str("prefix"));
        Assert.DoesNotContain(body.Str("apiKey")!, workspace.GetRawText());
        Assert.Equal(JsonValueKind.Null, keys[0].GetProperty("revokedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, keys[1].GetProperty("revokedAt").ValueKind);
        await (await admin.GetAsync($"/api/v1/admin/workspaces/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminNotFound_SaysNotFound_WithoutAWorkspaceThatIsNotThere()
    {
        using var admin = factory.CreateAdminClient();
        var id = Guid.NewGuid();

        var key = await admin.DeleteAsync($"/api/v1/admin/keys/{id}");
        var workspace = await admin.PostAsync($"/api/v1/admin/workspaces/{id}/keys", null);

        await key.AssertProblemAsync(HttpStatusCode.NotFound, $"API key '{id}' was not found.");
        await workspace.AssertProblemAsync(HttpStatusCode.NotFound, $"Workspace '{id}' was not found.");
    }

    [Fact]
    public async Task AdminEndpoints_Return403ForAWorkspaceKey_And401Anonymous()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await (await ws.Http.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "x" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        using var anonymous = factory.CreateClient();
        await (await anonymous.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "x" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AdminKey_CannotReadWorkspaceData()
    {
        using var admin = factory.CreateAdminClient();
        await (await admin.GetAsync("/api/v1/runs")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task CreateWorkspace_Returns400ByField_ForAnUnknownTimezone()
    {
        using var admin = factory.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "x", timezone = "Mars/Olympus" });
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("timezone", out _));
    }

    [Fact]
    public async Task Health_LiveAndReady_AnswerWithoutAKey()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", (await ready.Json()).GetProperty("checks").GetProperty("database").GetString());
    }
}
