using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>Issue #12: the run list pages with a cursor, newest first, and filters by status and schedule.</summary>
public sealed class RunListTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Runs_ArePagedNewestFirst_WithoutRepeatsOrGaps_AndFiltered()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var started = new List<string>();
        for (var i = 0; i < 5; i++)
            started.Add((await ws.Http.RunAsync(new { label = $"run {i}" })).Str("id"));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await ws.Http.GetAsync($"/api/v1/runs?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}")).Json();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(r => r.Str("id")));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.Str("nextCursor");
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Reverse(started), seen);

        Assert.Equal(5, (await (await ws.Http.GetAsync("/api/v1/runs?status=succeeded")).Json()).GetProperty("items").GetArrayLength());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs?status=failed")).Json()).GetProperty("items").EnumerateArray());
        Assert.Empty((await (await ws.Http.GetAsync($"/api/v1/runs?scheduleId={Guid.NewGuid()}")).Json()).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("?status=", 2)]
    [InlineData("?status=,", 2)]
    [InlineData("?status=succeeded,,", 2)]
    [InlineData("?status=,succeeded", 2)]
    [InlineData("?status=failed,succeeded", 2)]
    [InlineData("?status=failed,", 0)]
    public async Task StatusFilter_IgnoresEmptyEntries_AndOneWithNoneLeftIsNoFilter(string query, int runs)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.RunAsync();
        await ws.Http.RunAsync();

        var response = await ws.Http.GetAsync("/api/v1/runs" + query);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(runs, (await response.Json()).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?status=done", "status")]
    [InlineData("?scheduleId=42", "scheduleId")]
    public async Task BadQuery_IsA400NamingTheParameter(string query, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.GetAsync("/api/v1/runs" + query);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _));
    }
}
