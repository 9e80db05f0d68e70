using System.Net;
using System.Text.Json;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #12: GET /api/v1/sources/{source}/orders browses what is stored.</summary>
public sealed class OrderListTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static async Task<JsonElement> ListAsync(WorkspaceClient ws, string query)
    {
        var response = await ws.Http.GetAsync("/api/v1/sources/" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    static List<string> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.Str("orderId")).ToList();

    [Fact]
    public async Task StoredOrders_AreListedLatestFirst_PagedAndFilteredByKeyEmailAndSince()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", email: "Ann@Example.com"), Order("S2", "#11001"), Order("S3", "#1003") });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", status: "PAID"), Order("K2", "Shopify Order #1002", status: "PAID") });
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        var later = factory.Clock.GetUtcNow().UtcDateTime;
        await ws.Http.IngestAsync("store", new[] { Order("S4", "#1004") });

        Assert.Equal(["S4", "S3", "S2", "S1"], Ids(await ListAsync(ws, "store/orders")));
        var first = await ListAsync(ws, "store/orders?limit=3");
        Assert.Equal(["S4", "S3", "S2"], Ids(first));
        Assert.Equal(["S1"], Ids(await ListAsync(ws, $"store/orders?limit=3&cursor={first.Str("nextCursor")}")));
        var item = (await ListAsync(ws, "store/orders?limit=1")).GetProperty("items")[0];
        Assert.Equal("#1004", item.GetProperty("order").Str("orderNumber"));
        Assert.Equal(1, item.GetProperty("version").GetInt32());

        // The key as the pattern reads it: 1001 is #1001, not #11001; on the Keap side "Shopify Order #1001".
        Assert.Equal(["S1"], Ids(await ListAsync(ws, "store/orders?orderKey=1001")));
        Assert.Equal(["K1"], Ids(await ListAsync(ws, "keap/orders?orderKey=1001")));
        Assert.Equal(["S2"], Ids(await ListAsync(ws, "store/orders?orderKey=S2")));
        Assert.Equal(["S1"], Ids(await ListAsync(ws, "store/orders?email=ann@example.COM")));
        Assert.Equal(["S4"], Ids(await ListAsync(ws, $"store/orders?since={later:O}")));
    }

    [Theory]
    [InlineData("store/orders?since=yesterday", HttpStatusCode.BadRequest)]
    [InlineData("store/orders?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("store/orders?cursor=abc", HttpStatusCode.BadRequest)]
    [InlineData("shop/orders", HttpStatusCode.NotFound)]
    public async Task BadQuery_IsAProblem(string query, HttpStatusCode status)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await (await ws.Http.GetAsync("/api/v1/sources/" + query)).AssertProblemAsync(status);
    }
}
