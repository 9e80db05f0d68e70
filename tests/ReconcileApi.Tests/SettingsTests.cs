using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
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
    public async Task Put_TakesMapsAsGeneratedClientsWriteThem_EnumValuesInAnyCase_AndAMapLeftNullAsLeftOut()
    {
        // NSwag's System.Text.Json client writes a settings model with every property: an unset source map as null.
        using var ws = await factory.CreateWorkspaceAsync();
        var put = await ws.Http.PutAsync("/api/v1/settings", JsonBody("""
            {"ignoreLineKinds": ["Shipping", "TAX"], "statusMap": {"store": {"Captured": "PAID"}, "keap": null}, "sourceOfTruth": {"total": "Keap"}, "skuMap": null}
            """));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var settings = (await put.Json()).GetProperty("settings");
        Assert.Equal(["shipping", "tax"], settings.GetProperty("ignoreLineKinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("paid", settings.GetProperty("statusMap").GetProperty("store").GetProperty("Captured").GetString());
        Assert.False(settings.GetProperty("statusMap").TryGetProperty("keap", out var keap) && keap.EnumerateObject().Any());
        Assert.Equal("keap", settings.GetProperty("sourceOfTruth").GetProperty("total").GetString());

        // A SKU mapped to null is no map entry to leave out: it is named.
        var nullSku = await ws.Http.PutAsync("/api/v1/settings", JsonBody("""{"skuMap": {"TEE": null}}"""));
        await nullSku.AssertProblemAsync(HttpStatusCode.BadRequest);
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

    static HttpRequestMessage Put(object settings, string ifMatch, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/settings") { Content = JsonContent.Create(settings) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (key is not null)
            request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task Put_ReadsIfMatchAsAListOfEntityTags_AndOneWithoutQuotesIsA400()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PutAsJsonAsync("/api/v1/settings", new { amountTolerance = 1 })).StatusCode);

        await (await ws.Http.SendAsync(Put(new { amountTolerance = 2 }, "\"0\", W/\"7\""))).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "now version 1");
        var unquoted = await ws.Http.SendAsync(Put(new { amountTolerance = 2 }, "1", key: "unquoted"));
        await unquoted.AssertProblemAsync(HttpStatusCode.BadRequest, "If-Match: \"1\"");
        Assert.True((await unquoted.Json()).GetProperty("errors").TryGetProperty("If-Match", out _));

        // The 400 came before the request ran, so its key is free for the corrected request; a list matches by any of its tags.
        var listed = await ws.Http.SendAsync(Put(new { amountTolerance = 2 }, "\"1\", \"1\"", key: "unquoted"));
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(2, (await listed.Json()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task ConcurrentPuts_WithoutIfMatch_EachBecomeAVersion_TheLastWins_NeverA412()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        // No If-Match: each caller asked for its settings, not for the version it read, so none is refused.
        var responses = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => ws.Http.PutAsJsonAsync("/api/v1/settings", new { amountTolerance = i })));

        var written = new Dictionary<int, decimal>();
        foreach (var response in responses)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var body = await response.Json();
            var version = body.GetProperty("version").GetInt32();
            Assert.Equal($"\"{version}\"", response.Headers.ETag!.Tag);
            Assert.True(written.TryAdd(version, body.GetProperty("settings").GetProperty("amountTolerance").GetDecimal()), $"Version {version} answered twice");
        }
        Assert.Equal(Enumerable.Range(1, 8), written.Keys.Order());
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (decimal)i), written.Values.Order());

        // The history holds each write once, under the version its caller was told; the latest is the current settings.
        await using var scope = factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ReconcileDbContext>().SettingsVersions
            .Where(v => v.WorkspaceId == ws.WorkspaceId).OrderBy(v => v.Version).ToListAsync();
        Assert.Equal(written.Keys.Order(), stored.Select(v => v.Version));
        foreach (var v in stored)
            Assert.Equal(written[v.Version], JsonNode.Parse(v.Json)!["amountTolerance"]!.GetValue<decimal>());
        var current = await (await ws.Http.GetAsync("/api/v1/settings")).Json();
        Assert.Equal(8, current.GetProperty("version").GetInt32());
        Assert.Equal(written[8], current.GetProperty("settings").GetProperty("amountTolerance").GetDecimal());
    }
}
