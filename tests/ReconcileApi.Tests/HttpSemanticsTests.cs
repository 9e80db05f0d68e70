using System.Net;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>What HTTP itself promises callers: HEAD beside GET, ids that hold slashes, query parameters checked alike.</summary>
public sealed class HttpSemanticsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/api/v1/discrepancies")]
    [InlineData("/api/v1/runs")]
    [InlineData("/health")]
    public async Task Head_AnswersAsGetDoes_WithoutABody(string path)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var get = await ws.Http.GetAsync(path);

        var head = await ws.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_OnAPostOnlyPath_Is405NamingPost()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var head = await ws.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/discrepancies/resolutions"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, head.StatusCode);
        Assert.Equal(["POST"], head.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/settings", "GET, HEAD, PUT")]
    [InlineData("PATCH", "/api/v1/runs", "GET, HEAD, POST")]
    [InlineData("PUT", "/api/v1/discrepancies/1/history", "GET, HEAD")]
    [InlineData("GET", "/api/v1/discrepancies/resolutions", "POST")]
    [InlineData("POST", "/health/live", "GET, HEAD")]
    [InlineData("TRACE", "/health/ready", "GET, HEAD")]
    public async Task A405_ListsHead_WhereverGetIsAllowed(string method, string path, string allow)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal(allow.Split(", ").Order(), response.Content.Headers.Allow.Order());
    }

    [Theory]
    [InlineData("gid:%2F%2Fshopify%2FOrder%2F820982911946154508")] // as a URL template encodes it
    [InlineData("gid://shopify/Order/820982911946154508")]
    public async Task AnOrderIdWithSlashes_IsReadBack_EncodedOrNot(string path)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("gid://shopify/Order/820982911946154508", "#1001") });

        var response = await ws.Http.GetAsync($"/api/v1/sources/store/orders/{path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gid://shopify/Order/820982911946154508", (await response.Json()).GetProperty("orderId").GetString());
    }

    [Theory]
    [InlineData("/api/v1/alerts?limit=0", "limit")]
    [InlineData("/api/v1/alerts?limit=501", "limit")]
    [InlineData("/api/v1/alerts?status=zzz", "status")]
    [InlineData("/api/v1/alerts?cursor=abc", "cursor")]
    [InlineData("/api/v1/runs/0195f3a2-0000-7000-8000-000000000000/pending?limit=-1", "limit")]
    [InlineData("/api/v1/runs/0195f3a2-0000-7000-8000-000000000000/pending?limit=1001", "limit")]
    [InlineData("/api/v1/runs/0195f3a2-0000-7000-8000-000000000000/pending?cursor=x", "cursor")]
    public async Task ListQueryParameters_OutOfRange_Are400NamingTheParameter_NotClamped(string path, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.GetAsync(path);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"No error for '{field}': {errors}");
    }
}
