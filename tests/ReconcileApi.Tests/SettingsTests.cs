using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

public sealed class SettingsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Settings_StartAsVersion0Defaults_InTheWorkspaceTimezone()
    {
        using var ws = await factory.CreateWorkspaceAsync("America/Chicago");
        var settings = await (await ws.Http.GetAsync("/api/v1/settings")).Json();
        Assert.Equal(0, settings.GetProperty("version").GetInt32());
        Assert.Equal("America/Chicago", settings.GetProperty("settings").GetProperty("timezone").GetString());
        Assert.Equal(0.01m, settings.GetProperty("settings").GetProperty("amountTolerance").GetDecimal());
    }

    [Fact]
    public async Task Put_CreatesANewVersion_AndRunsRecordTheVersionTheyUsed()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var current = JsonNode.Parse((await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("settings").GetRawText())!;
        current["amountTolerance"] = 5;

        var put = await ws.Http.PutAsJsonAsync("/api/v1/settings", current);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(1, (await put.Json()).GetProperty("version").GetInt32());

        // A 3.00 difference is now within tolerance.
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1", 100m) });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "#1", 97m) });
        var run = await ws.Http.RunAsync();
        Assert.Equal(1, run.GetProperty("settingsVersion").GetInt32());
        Assert.Equal(0, run.GetProperty("discrepancies").GetInt32());
    }

    [Fact]
    public async Task Put_Returns400ByField_ForAPatternWithoutOneCaptureGroup_AndAnUnknownTimezone()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PutAsJsonAsync("/api/v1/settings", new { storeKeyPattern = "#(\\d+)-(\\d+)", timezone = "Nowhere/City" });
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("storeKeyPattern", out _));
        Assert.True(errors.TryGetProperty("timezone", out _));
    }

    [Fact]
    public async Task Put_Returns412_WhenIfMatchIsStale()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var read = await ws.Http.GetAsync("/api/v1/settings");
        var etag = read.Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PutAsJsonAsync("/api/v1/settings", new { amountTolerance = 1 })).StatusCode);

        var stale = new HttpRequestMessage(HttpMethod.Put, "/api/v1/settings") { Content = JsonContent.Create(new { amountTolerance = 2 }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await (await ws.Http.SendAsync(stale)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }
}
