using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests.Vendor;

/// <summary>What a receipt and a run say about vendor data: every record counted once, nothing guessed, the run's own numbers.</summary>
public sealed class VendorReceiptAndRunTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static string Payload(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vendor", "Payloads", name));

    /// <summary>The documented Shopify order 450789469 (refund example), dated inside the default window.</summary>
    static JsonElement ShopifyOrder(Func<string, string>? edit = null)
    {
        var json = Payload("shopify-order-refund.json").Replace("2025-07-02", Day.ToString("yyyy-MM-dd")).Replace("2008-01-10", Day.ToString("yyyy-MM-dd"));
        var root = JsonDocument.Parse(edit is null ? json : edit(json)).RootElement;
        return root.TryGetProperty("order", out var order) ? order.Clone() : root.Clone();
    }

    [Fact]
    public async Task WebhookDeliveredTwice_IsCountedOnce_AsARepeat_AndTheLastVersionIsKept()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var first = ShopifyOrder();
        var second = ShopifyOrder(j => j.Replace("\"partially_refunded\"", "\"refunded\""));

        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders?format=shopify", JsonBody(JsonSerializer.Serialize(new[] { first, second })));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal((2, 1, 1), (receipt.GetProperty("received").GetInt32(), receipt.GetProperty("inserted").GetInt32(), receipt.GetProperty("repeated").GetInt32()));
        Assert.Equal(receipt.GetProperty("received").GetInt32(), new[] { "inserted", "updated", "unchanged", "rejected", "skipped", "repeated" }.Sum(p => receipt.GetProperty(p).GetInt32()));
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal((0, "450789469", "orderId"), (warning.GetProperty("index").GetInt32(), warning.Str("orderId"), warning.Str("field")));
        Assert.Contains("index 1", warning.Str("message"));
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/450789469")).Json();
        Assert.Equal("refunded", stored.GetProperty("order").Str("status"));
        // The receipt reads the same later.
        var batch = await (await ws.Http.GetAsync(response.Headers.Location)).Json();
        Assert.Equal(1, batch.GetProperty("repeated").GetInt32());
        Assert.Single(batch.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task RepeatsAcrossChunks_AreCountedOnce()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var orders = Enumerable.Range(0, 1500).Select(i => Order($"S{i}")).ToList();
        orders.Add(Order("S3", total: 55m));

        var receipt = await ws.Http.IngestAsync("store", orders);

        Assert.Equal((1501, 1500, 0, 0, 1), (receipt.GetProperty("received").GetInt32(), receipt.GetProperty("inserted").GetInt32(),
            receipt.GetProperty("updated").GetInt32(), receipt.GetProperty("unchanged").GetInt32(), receipt.GetProperty("repeated").GetInt32()));
        Assert.Equal(55m, (await (await ws.Http.GetAsync("/api/v1/sources/store/orders/S3")).Json()).GetProperty("order").GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task VendorOrderWithAnUnreadableLine_IsStoredWithAWarning_AndRaisesNoLineAlarm()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var order = ShopifyOrder(j => j.Replace("\"quantity\": 1,", "\"quantity\": \"one\",").Replace("\"financial_status\": \"partially_refunded\"", "\"financial_status\": \"paid\""));
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders?format=shopify", JsonBody(JsonSerializer.Serialize(new[] { order })));
        var receipt = await response.Json();

        Assert.Equal((1, 0), (receipt.GetProperty("inserted").GetInt32(), receipt.GetProperty("rejected").GetInt32()));
        var warnings = receipt.GetProperty("warnings").EnumerateArray().Where(w => w.Str("field").StartsWith("line_items")).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.EndsWith(LineReader.LeftOut, w.Str("message")));
        Assert.Contains(warnings, w => w.Str("field") == "line_items[0].quantity" && w.Str("orderId") == "450789469");
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/450789469")).Json();
        Assert.Empty(stored.GetProperty("order").GetProperty("lines").EnumerateArray());

        // Keap's copy has its lines; with none stored for the store order, lines are not compared.
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("8812", "Shopify Order #1001", 598.94m, "PAID", email: "bob.norman@mail.example.com", date: Day).With("lines", new[] { new { sku = "IPOD2008GREEN", quantity = 1, unitPrice = 199m } }),
        });
        var run = await ws.Http.RunAsync();
        Assert.DoesNotContain(await ws.Http.DiscrepanciesAsync($"?state=all"), d => d.Str("category") == "line_items_mismatch");
        Assert.Equal("succeeded", run.Str("status"));
    }

    [Fact]
    public async Task VendorOrderSentAgain_IsUnchangedByItsContent_AndUpdatedOnlyWhenItChanges()
    {
        // The order draws a warning (an unreadable line), so no hash of its bytes is kept and every resend is read and
        // compared by the hash of what was stored: the same order must count unchanged however its JSON is written.
        using var ws = await factory.CreateWorkspaceAsync();
        var order = ShopifyOrder(j => j.Replace("\"quantity\": 1,", "\"quantity\": \"one\","));
        async Task<(int Inserted, int Updated, int Unchanged)> SendAsync(string body)
        {
            var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders?format=shopify", JsonBody(body))).Json();
            return (receipt.GetProperty("inserted").GetInt32(), receipt.GetProperty("updated").GetInt32(), receipt.GetProperty("unchanged").GetInt32());
        }

        Assert.Equal((1, 0, 0), await SendAsync(JsonSerializer.Serialize(new[] { order })));
        Assert.Equal((0, 0, 1), await SendAsync(JsonSerializer.Serialize(new[] { order })));
        Assert.Equal((0, 0, 1), await SendAsync(JsonSerializer.Serialize(new { orders = new[] { order } }, new JsonSerializerOptions { WriteIndented = true })));
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/sources/store/orders/450789469")).Json()).GetProperty("previousVersions").EnumerateArray());

        var refunded = ShopifyOrder(j => j.Replace("\"quantity\": 1,", "\"quantity\": \"one\",").Replace("\"partially_refunded\"", "\"refunded\""));
        Assert.Equal((0, 1, 0), await SendAsync(JsonSerializer.Serialize(new[] { refunded })));
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/450789469")).Json();
        Assert.Equal(("refunded", 2), (stored.GetProperty("order").Str("status"), stored.GetProperty("version").GetInt32()));
        Assert.Equal("partially_refunded", Assert.Single(stored.GetProperty("previousVersions").EnumerateArray()).GetProperty("order").Str("status"));
    }

    [Fact]
    public async Task RunWindow_WithoutOffset_IsReadInTheWorkspaceTimezone()
    {
        using var ws = await factory.CreateWorkspaceAsync("America/New_York");

        var response = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { from = "2026-10-01T00:00:00", to = "2026-11-01" }, ApiFactory.Json);
        var run = await response.Json();
        var explicitOffset = await (await ws.Http.PostAsJsonAsync("/api/v1/runs", new { from = "2026-10-01T00:00:00+02:00", to = "2026-11-01T00:00:00Z" }, ApiFactory.Json)).Json();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // Midnight in New York: EDT (UTC-4) on 1 October, EDT still on 1 November (the change is on the 1st at 02:00).
        Assert.Equal(new DateTime(2026, 10, 1, 4, 0, 0, DateTimeKind.Utc), run.GetProperty("from").GetDateTime().ToUniversalTime());
        Assert.Equal(new DateTime(2026, 11, 1, 4, 0, 0, DateTimeKind.Utc), run.GetProperty("to").GetDateTime().ToUniversalTime());
        Assert.Equal(new DateTime(2026, 9, 30, 22, 0, 0, DateTimeKind.Utc), explicitOffset.GetProperty("from").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public async Task Run_ReportsTheEnginesStatistics_SyncLagAndWhatIsNotExpectedElsewhere()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1001", 100m, date: Day), Order("S2", "#1002", 50m, date: Day.AddDays(1)), Order("S3", "#1003", 30m, "failed", date: Day),
        });
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K1", "Shopify Order #1001", 100m, "PAID", date: Day), Order("K9", "Quote for Acme", 900m, "DRAFT", date: Day).With("amountPaid", "0"),
        });

        var run = await ws.Http.RunAsync(Window);

        var window = run.GetProperty("window");
        Assert.Equal((3, 2), (window.GetProperty("storeOrders").GetInt32(), window.GetProperty("keapOrders").GetInt32()));
        Assert.Equal((180m, 1000m), (window.GetProperty("storeRevenue").GetDecimal(), window.GetProperty("keapRevenue").GetDecimal()));
        // S1 matched, S2 missing (Keap has nothing after S1: its sync stopped), S3 never paid.
        Assert.Equal(0.5m, window.GetProperty("matchRate").GetDecimal());
        Assert.Equal((1, 1), (run.GetProperty("notExpectedInKeap").GetInt32(), run.GetProperty("notExpectedInStore").GetInt32()));
        var keapLag = run.GetProperty("syncLag").GetProperty("keap");
        Assert.Equal(24.0, keapLag.GetProperty("behindHours").GetDouble());
        Assert.Equal(Day, keapLag.GetProperty("newestOrder").GetDateTime().ToUniversalTime());
        Assert.Equal(0.0, run.GetProperty("syncLag").GetProperty("store").GetProperty("behindHours").GetDouble());
        Assert.Equal(run.GetProperty("to").GetDateTime(), run.GetProperty("cutoff").GetDateTime());
        var missing = Assert.Single(await ws.Http.DiscrepanciesAsync());
        Assert.Equal(("missing_in_keap", "sync_stopped"), (missing.Str("category"), missing.GetProperty("cause").Str("code")));
    }
}
