using System.Net;
using System.Net.Http.Json;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

public sealed class WalkingSkeletonTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task IngestRunListResolve_WorksEndToEnd_OnTheSqliteFile()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var store = await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1001", 598.94m, date: Day),
            Order("S2", "#1002", 20m, date: Day.AddHours(-30)),
            Order("S3", "#1003", 35m, "refunded", date: Day),
            Order("S4", "#1004", 12m, date: Day.AddDays(1)),
        });
        Assert.Equal(4, store.GetProperty("inserted").GetInt32());
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K1", "Shopify Order #1001", 560.00m, "PAID", date: Day),
            Order("K3", "Shopify Order #1003", 35m, "PAID", date: Day),
            Order("K4", "Shopify Order #1004", 12m, "PAID", date: Day.AddDays(1)),
            Order("K9", "Shopify Order #1009", 44m, "PAID", date: Day.AddHours(-26)),
        });

        var started = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { from = Day.AddDays(-3), to = Day.AddDays(3), label = "skeleton" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.StartsWith("/api/v1/runs/", started.Headers.Location!.ToString());
        var run = await ws.Http.WaitForRunAsync(started.Headers.Location!.ToString());

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(4, run.GetProperty("storeOrders").GetInt32());
        Assert.Equal(4, run.GetProperty("keapOrders").GetInt32());
        Assert.Equal(3, run.GetProperty("matched").GetInt32());
        var byCategory = run.GetProperty("byCategory");
        Assert.Equal(1, byCategory.GetProperty("missing_in_keap").GetInt32());
        Assert.Equal(1, byCategory.GetProperty("missing_in_store").GetInt32());
        Assert.Equal(1, byCategory.GetProperty("amount_mismatch").GetInt32());
        Assert.Equal(1, byCategory.GetProperty("status_mismatch").GetInt32());

        var runId = run.GetProperty("id").GetGuid();
        var page = await (await ws.Http.GetAsync($"/api/v1/runs/{runId}/discrepancies")).Json();
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        var amount = items.Single(i => i.GetProperty("category").GetString() == "amount_mismatch");
        Assert.Equal("1001", amount.GetProperty("orderKey").GetString());
        Assert.Equal(38.94m, amount.GetProperty("difference").GetDecimal());
        Assert.Equal("S1", amount.GetProperty("storeOrderId").GetString());
        Assert.Equal("K1", amount.GetProperty("keapOrderId").GetString());
        Assert.Equal("S2", items.Single(i => i.GetProperty("category").GetString() == "missing_in_keap").GetProperty("storeOrderId").GetString());
        Assert.Equal("K9", items.Single(i => i.GetProperty("category").GetString() == "missing_in_store").GetProperty("keapOrderId").GetString());

        var id = amount.GetProperty("id").GetInt64();
        var resolved = await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{id}/resolution",
            new { action = "updated_in_keap", note = "Added tax and shipping lines", resolvedBy = "ana@example.com" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var body = await resolved.Json();
        Assert.Equal("resolved", body.GetProperty("state").GetString());
        Assert.Equal("updated_in_keap", body.GetProperty("resolution").GetProperty("action").GetString());
        Assert.Equal("ana@example.com", body.GetProperty("resolution").GetProperty("resolvedBy").GetString());

        var history = (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}/history")).Json()).EnumerateArray().ToList();
        Assert.Equal(["created", "state_changed"], history.Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal("open", history[1].GetProperty("fromState").GetString());
        Assert.Equal("resolved", history[1].GetProperty("toState").GetString());
        Assert.Equal("Added tax and shipping lines", history[1].GetProperty("note").GetString());

        // The open list no longer has it; state=all does.
        Assert.DoesNotContain(await ws.Http.DiscrepanciesAsync(), d => d.GetProperty("id").GetInt64() == id);
        Assert.Contains(await ws.Http.DiscrepanciesAsync("?state=all"), d => d.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task Ingest_CountsInsertedUpdatedUnchanged_AndKeepsThePreviousVersion()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var first = await ws.Http.IngestAsync("store", new[] { Order("A", total: 10m), Order("B", total: 20m) });
        Assert.Equal(2, first.GetProperty("inserted").GetInt32());

        var second = await ws.Http.IngestAsync("store", new[] { Order("A", total: 10m), Order("B", total: 25m), Order("C", total: 5m) });
        Assert.Equal(1, second.GetProperty("inserted").GetInt32());
        Assert.Equal(1, second.GetProperty("updated").GetInt32());
        Assert.Equal(1, second.GetProperty("unchanged").GetInt32());

        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/B")).Json();
        Assert.Equal(2, stored.GetProperty("version").GetInt32());
        Assert.Equal(25m, stored.GetProperty("order").GetProperty("total").GetDecimal());
        var previous = stored.GetProperty("previousVersions").EnumerateArray().Single();
        Assert.Equal(1, previous.GetProperty("version").GetInt32());
        Assert.Equal(20m, previous.GetProperty("order").GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task Run_IsIdempotent_WhenFindingsRepeat_AndCountsPersisting()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1", date: Day.AddDays(-1)), Order("S2", "#2", date: Day) });
        await ws.Http.IngestAsync("keap", new[] { Order("K2", "#2", date: Day) });
        var window = new { from = Day.AddDays(-3), to = Day.AddDays(3) };

        var first = await ws.Http.RunAsync(window);
        var second = await ws.Http.RunAsync(window);

        Assert.Equal(1, first.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(0, second.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(1, second.GetProperty("persistingDiscrepancies").GetInt32());
        var missing = Assert.Single(await ws.Http.DiscrepanciesAsync());
        Assert.Equal(2, missing.GetProperty("occurrences").GetInt32());
        Assert.Equal(first.GetProperty("id").GetGuid(), missing.GetProperty("firstSeenRunId").GetGuid());
        Assert.Equal(second.GetProperty("id").GetGuid(), missing.GetProperty("lastSeenRunId").GetGuid());
    }

    [Fact]
    public async Task Run_AutoResolvesAFixedDiscrepancy_AndReopensOneThatComesBack()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1", 50m, date: Day) });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "#1", 40m, date: Day) });
        var window = new { from = Day.AddDays(-3), to = Day.AddDays(3) };
        await ws.Http.RunAsync(window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).GetProperty("id").GetInt64();

        await ws.Http.IngestAsync("keap", new[] { Order("K1", "#1", 50m, date: Day) });
        var fixedRun = await ws.Http.RunAsync(window);
        Assert.Equal(1, fixedRun.GetProperty("autoResolved").GetInt32());
        var resolved = await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json();
        Assert.Equal("resolved", resolved.GetProperty("state").GetString());
        Assert.Equal("verified_fixed", resolved.GetProperty("resolution").GetProperty("action").GetString());
        Assert.Equal("system", resolved.GetProperty("resolution").GetProperty("resolvedBy").GetString());

        await ws.Http.IngestAsync("keap", new[] { Order("K1", "#1", 45m, date: Day) });
        await ws.Http.RunAsync(window);
        var reopened = await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json();
        Assert.Equal("open", reopened.GetProperty("state").GetString());
        var kinds = (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}/history")).Json()).EnumerateArray()
            .Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["created", "state_changed", "reopened"], kinds);
    }
}
