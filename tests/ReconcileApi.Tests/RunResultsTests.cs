using System.Net;
using System.Text.Json;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #3: what a run found reaches the caller with its cause, severity, impact and suggested action.</summary>
public sealed class RunResultsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static readonly string[] Severities = ["critical", "high", "medium", "low"];

    /// <summary>
    /// One order per kind of finding, all on <see cref="LifecycleTestData.Day"/>:
    /// 1001 Keap lacks tax + shipping, 1003 refunded in the store but paid in Keap, 1005 created twice in Keap,
    /// 1006 no reference on the Keap side (same email, total and day), 1007 never reached Keap.
    /// </summary>
    static async Task<(JsonElement Run, List<JsonElement> Items)> RunScenarioAsync(WorkspaceClient ws)
    {
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1001", 598.94m, email: "bob@example.com", date: Day).With("tax", "28.94").With("shipping", "10.00"),
            Order("S3", "#1003", 35m, "refunded", email: "carol@example.com", date: Day),
            Order("S5", "#1005", 1500m, email: "dave@example.com", date: Day),
            Order("S6", "#1006", 80m, email: "pat@example.com", date: Day),
            Order("S7", "#1007", 250m, email: "mia@example.com", date: Day).With("customerName", "Mia Lane").With("platform", "shopify")
                .With("lines", new[] { new { sku = "SKU-7", name = "Widget", quantity = 2, unitPrice = 125m } }),
            StoreAnchor(),
        });
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K1", "Shopify Order #1001", 560.00m, "PAID", email: "bob@example.com", date: Day),
            Order("K3", "Shopify Order #1003", 35m, "PAID", email: "carol@example.com", date: Day),
            Order("K5", "Shopify Order #1005", 1500m, "PAID", email: "dave@example.com", date: Day),
            Order("K5b", "Shopify Order #1005", 1500m, "PAID", email: "dave@example.com", date: Day.AddMinutes(5)),
            Order("K6", null, 80m, "PAID", email: "pat@example.com", date: Day.AddHours(1)).With("orderNumber", null),
            KeapAnchor(),
        });
        var run = await ws.Http.RunAsync(Window);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var page = await (await ws.Http.GetAsync($"/api/v1/runs/{run.GetProperty("id").GetGuid()}/discrepancies")).Json();
        return (run, page.GetProperty("items").EnumerateArray().ToList());
    }

    static JsonElement Single(List<JsonElement> items, string category) => Assert.Single(items, i => i.Str("category") == category);

    [Fact]
    public async Task Run_SaysWhatItFoundInASentence_EndsInPhaseDone_AndCountsEachOrdersMoneyOnce()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (run, items) = await RunScenarioAsync(ws);

        Assert.Equal("done", run.GetProperty("progress").Str("phase"));
        var summary = run.Str("summary");
        var storeOrders = run.GetProperty("window").GetProperty("storeOrders").GetInt32();
        var byCategory = run.GetProperty("byCategory");
        Assert.Contains($"{byCategory.GetProperty("missing_in_keap").GetInt32()} of {storeOrders} store orders", summary);
        Assert.Contains($"{byCategory.GetProperty("amount_mismatch").GetInt32()} amount", summary);
        Assert.EndsWith($"money at stake {run.GetProperty("impact").GetDecimal().ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture)}.", summary);
        // Each order (or extra record) counts once, with its largest finding: never more than the findings add up to,
        // and never more than the money of the orders they are about.
        var perOrder = items.GroupBy(i => i.TryGetProperty("duplicateOrderId", out var d) && d.ValueKind == JsonValueKind.String
                ? "dup:" + d.GetString() : $"{i.Str("storeOrderId")}|{i.Str("keapOrderId")}")
            .Sum(g => g.Max(i => i.GetProperty("impact").GetDecimal()));
        Assert.Equal(perOrder, run.GetProperty("impact").GetDecimal());
        Assert.True(run.GetProperty("impact").GetDecimal() <= run.GetProperty("window").GetProperty("storeRevenue").GetDecimal() + run.GetProperty("window").GetProperty("keapRevenue").GetDecimal());
    }

    [Fact]
    public async Task AmountMismatch_WhereKeapLacksTaxAndShipping_SaysSoAndSuggestsUpdatingKeapWithTheStoreTotal()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, items) = await RunScenarioAsync(ws);

        var amount = Single(items, "amount_mismatch");
        Assert.Equal("1001", amount.Str("orderKey"));
        Assert.Equal("598.94", amount.Str("storeValue"));
        Assert.Equal("560.00", amount.Str("keapValue"));
        Assert.Equal(38.94m, amount.GetProperty("difference").GetDecimal());
        Assert.Equal(38.94m, amount.GetProperty("impact").GetDecimal());
        Assert.Equal("medium", amount.Str("severity"));

        var cause = amount.GetProperty("cause");
        Assert.Equal("tax_or_shipping_not_synced", cause.Str("code"));
        foreach (var number in new[] { "560.00", "598.94", "28.94", "10.00" })
            Assert.Contains(number, cause.Str("explanation"));

        var action = amount.GetProperty("suggestedAction");
        Assert.Equal("update_keap", action.Str("code"));
        Assert.Equal("keap", action.Str("system"));
        var values = action.GetProperty("values");
        Assert.Equal("K1", values.Str("orderId"));
        Assert.Equal("total", values.Str("field"));
        Assert.Equal(598.94m, values.GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task StoreOrderMissingInKeap_SuggestsCreateInKeap_WithWhatAKeapCreateOrderCallNeeds()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, items) = await RunScenarioAsync(ws);

        var missing = Single(items, "missing_in_keap");
        Assert.Equal("1007", missing.Str("orderKey"));
        Assert.Equal("S7", missing.Str("storeOrderId"));
        Assert.Equal(250m, missing.GetProperty("impact").GetDecimal());
        Assert.Equal("high", missing.Str("severity"));
        Assert.Equal("not_synced", missing.GetProperty("cause").Str("code"));
        Assert.Contains("1007", missing.GetProperty("cause").Str("explanation"));

        var action = missing.GetProperty("suggestedAction");
        Assert.Equal("create_in_keap", action.Str("code"));
        Assert.Equal("keap", action.Str("system"));
        var values = action.GetProperty("values");
        Assert.Equal("mia@example.com", values.Str("contactEmail"));
        Assert.Equal("Mia Lane", values.Str("contactName"));
        Assert.Equal(Day, values.GetProperty("orderDate").GetDateTime().ToUniversalTime());
        Assert.Equal("Shopify Order #1007", values.Str("orderTitle"));
        Assert.Equal("USD", values.Str("currency"));
        Assert.Equal(250m, values.GetProperty("total").GetDecimal());
        var item = Assert.Single(values.GetProperty("items").EnumerateArray());
        Assert.Equal("SKU-7", item.Str("sku"));
        Assert.Equal("Widget", item.Str("name"));
        Assert.Equal(2m, item.GetProperty("quantity").GetDecimal());
        Assert.Equal(125m, item.GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task StoreRefundWhileKeapSaysPaid_IsAStatusMismatch_RefundNotPropagated_WithTheRefundAsImpact()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, items) = await RunScenarioAsync(ws);

        var status = Single(items, "status_mismatch");
        Assert.Equal("1003", status.Str("orderKey"));
        Assert.Equal("refunded", status.Str("storeValue"));
        Assert.Equal("paid", status.Str("keapValue"));
        Assert.Equal(35m, status.GetProperty("impact").GetDecimal());
        Assert.Equal("medium", status.Str("severity"));
        Assert.Equal("refund_not_propagated", status.GetProperty("cause").Str("code"));
        Assert.Contains("35", status.GetProperty("cause").Str("explanation"));
        var action = status.GetProperty("suggestedAction");
        Assert.Equal("update_keap", action.Str("code"));
        Assert.Equal("keap", action.Str("system"));
        Assert.Equal("K3", action.GetProperty("values").Str("orderId"));
        Assert.Equal("status", action.GetProperty("values").Str("field"));
        Assert.Equal("refunded", action.GetProperty("values").Str("value"));
    }

    [Fact]
    public async Task StoreCancelWhileKeapSaysPaid_IsRefundNotPropagated_Too()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#2001", 42m, "cancelled", date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #2001", 42m, "PAID", date: Day), KeapAnchor() });
        var run = await ws.Http.RunAsync(Window);

        var status = Assert.Single(await ws.Http.DiscrepanciesAsync($"?category=status_mismatch"));
        Assert.Equal("cancelled", status.Str("storeValue"));
        Assert.Equal("refund_not_propagated", status.GetProperty("cause").Str("code"));
        Assert.Equal(42m, status.GetProperty("impact").GetDecimal());
        Assert.Equal(1, run.GetProperty("discrepancies").GetInt32());
    }

    [Fact]
    public async Task DuplicateInKeap_NamesTheExtraRecord_AndSuggestsRemovingIt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, items) = await RunScenarioAsync(ws);

        var duplicate = Single(items, "duplicate_in_keap");
        Assert.Equal("1005", duplicate.Str("orderKey"));
        Assert.Equal("K5b", duplicate.Str("duplicateOrderId"));
        Assert.Equal("K5", duplicate.Str("keapOrderId"));
        Assert.Equal("S5", duplicate.Str("storeOrderId"));
        Assert.Equal(1500m, duplicate.GetProperty("impact").GetDecimal());
        Assert.Equal("critical", duplicate.Str("severity"));
        Assert.Equal("retry_duplicate", duplicate.GetProperty("cause").Str("code"));
        var action = duplicate.GetProperty("suggestedAction");
        Assert.Equal("remove_duplicate", action.Str("code"));
        Assert.Equal("keap", action.Str("system"));
        Assert.Equal("K5b", action.GetProperty("values").Str("orderId"));
        Assert.Equal("K5", action.GetProperty("values").Str("keepOrderId"));
    }

    [Fact]
    public async Task KeapOrderWithoutReference_ButSameEmailTotalAndDay_IsAProbableMatchToReview_NotTwoMissingOrders()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, items) = await RunScenarioAsync(ws);

        var probable = Single(items, "probable_match");
        Assert.Equal("1006", probable.Str("orderKey"));
        Assert.Equal("S6", probable.Str("storeOrderId"));
        Assert.Equal("K6", probable.Str("keapOrderId"));
        Assert.Equal("low", probable.Str("severity"));
        Assert.Equal("reference_mismatch", probable.GetProperty("cause").Str("code"));
        var action = probable.GetProperty("suggestedAction");
        Assert.Equal("review", action.Str("code"));
        Assert.Equal("both", action.Str("system"));
        Assert.Equal("S6", action.GetProperty("values").Str("storeOrderId"));
        Assert.Equal("K6", action.GetProperty("values").Str("keapOrderId"));
        Assert.True(action.GetProperty("values").GetProperty("matchScore").GetDouble() >= 0.8);
        Assert.DoesNotContain(items, i => i.Str("storeOrderId") == "S6" && i.Str("category") == "missing_in_keap");
        Assert.DoesNotContain(items, i => i.Str("keapOrderId") == "K6" && i.Str("category") == "missing_in_store");
    }

    [Fact]
    public async Task EverySeverity_IsOneOfTheFour_AndFollowsTheImpactThresholds()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, items) = await RunScenarioAsync(ws);

        Assert.Equal(5, items.Count);
        foreach (var item in items)
        {
            Assert.Contains(item.Str("severity"), Severities);
            Assert.Equal(SeverityOf(item.Str("category"), item.GetProperty("impact").GetDecimal()), item.Str("severity"));
        }
    }

    [Theory]
    [InlineData(9.99, "low")]
    [InlineData(10, "medium")]
    [InlineData(99.99, "medium")]
    [InlineData(100, "high")]
    [InlineData(999.99, "high")]
    [InlineData(1000, "critical")]
    public async Task MissingOrder_TakesItsSeverityFromItsImpact_AtTheThresholdEdges(double total, string severity)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#3001", (decimal)total, email: "edge@example.com", date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor() });
        await ws.Http.RunAsync(Window);

        var missing = Assert.Single(await ws.Http.DiscrepanciesAsync());
        Assert.Equal((decimal)total, missing.GetProperty("impact").GetDecimal());
        Assert.Equal(severity, missing.Str("severity"));
    }

    [Fact]
    public async Task GetRun_SummarizesByCategoryAndSeverity_WithTotalImpactAndTheWindowsOrdersRevenueAndMatchRate()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (finished, items) = await RunScenarioAsync(ws);
        var response = await ws.Http.GetAsync($"/api/v1/runs/{finished.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.Json();

        Assert.Equal(5, run.GetProperty("discrepancies").GetInt32());
        Assert.Equal(5, run.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(6, run.GetProperty("storeOrders").GetInt32());
        Assert.Equal(6, run.GetProperty("keapOrders").GetInt32());
        Assert.Equal(5, run.GetProperty("matched").GetInt32()); // 1001, 1003, 1005, 9999 by key; 1006 by the fuzzy pass

        var byCategory = run.GetProperty("byCategory").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(new Dictionary<string, int>
        {
            ["amount_mismatch"] = 1, ["status_mismatch"] = 1, ["duplicate_in_keap"] = 1, ["probable_match"] = 1, ["missing_in_keap"] = 1,
        }, byCategory);
        var bySeverity = run.GetProperty("bySeverity").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["critical"] = 1, ["high"] = 1, ["medium"] = 2, ["low"] = 1 }, bySeverity);
        Assert.Equal(items.GroupBy(i => i.Str("severity")).ToDictionary(g => g.Key, g => g.Count()), bySeverity);

        Assert.Equal(38.94m + 35m + 1500m + 0m + 250m, run.GetProperty("impact").GetDecimal());
        Assert.Equal(items.Sum(i => i.GetProperty("impact").GetDecimal()), run.GetProperty("impact").GetDecimal());

        var window = run.GetProperty("window");
        Assert.Equal(6, window.GetProperty("storeOrders").GetInt32());
        Assert.Equal(6, window.GetProperty("keapOrders").GetInt32());
        Assert.Equal(598.94m + 35m + 1500m + 80m + 250m + 10m, window.GetProperty("storeRevenue").GetDecimal());
        Assert.Equal(560m + 35m + 1500m + 1500m + 80m + 10m, window.GetProperty("keapRevenue").GetDecimal());
        Assert.Equal(0.8333m, window.GetProperty("matchRate").GetDecimal());
    }

    [Fact]
    public async Task RunDiscrepancies_CarryTheRunsId_AndTheSameResultsAsTheWorkspaceList()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (run, items) = await RunScenarioAsync(ws);
        var runId = run.GetProperty("id").GetGuid();

        Assert.All(items, i => Assert.Equal(runId, i.GetProperty("runId").GetGuid()));
        var all = await ws.Http.DiscrepanciesAsync();
        Assert.Equal(items.Select(i => i.Id()).Order(), all.Select(i => i.Id()).Order());
    }
}
