using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Features.Runs;
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

    [Fact]
    public async Task AWorkspaceWithTheMostRunsWaitingToStart_GetsA409NamingTheNewest_UntilOneIsCancelled()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // Runs waiting behind a long one, as a caller looping on POST /runs leaves them (no job: they stay queued).
        var now = DateTime.UtcNow;
        var waiting = Enumerable.Range(0, StartRun.MaxQueued).Select(i => new Run
        {
            Id = Guid.CreateVersion7(), WorkspaceId = ws.WorkspaceId, Status = RunStatus.Queued, From = now.AddDays(-30), To = now,
            CreatedAt = now.AddMinutes(i - StartRun.MaxQueued),
        }).ToList();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            db.Runs.AddRange(waiting);
            await db.SaveChangesAsync();
        }

        var refused = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { label = "one more" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"/api/v1/runs/{waiting[^1].Id}", (await refused.Json()).Str("detail"));
        Assert.Equal(StartRun.MaxQueued, (await (await ws.Http.GetAsync("/api/v1/runs?status=queued")).Json()).GetProperty("items").GetArrayLength());

        (await ws.Http.PostAsync($"/api/v1/runs/{waiting[0].Id}/cancel", null)).EnsureSuccessStatusCode();
        var accepted = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { label = "one more" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        // The rest give way, and the accepted run runs.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            var ids = waiting.Select(r => r.Id).ToList();
            await db.Runs.Where(r => ids.Contains(r.Id)).ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RunStatus.Cancelled));
        }
        Assert.Equal("succeeded", (await ws.Http.WaitForRunAsync(accepted.Headers.Location!.ToString())).Str("status"));
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
