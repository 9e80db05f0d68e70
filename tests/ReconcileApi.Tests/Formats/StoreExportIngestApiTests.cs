using System.Net;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests.Formats;

/// <summary>A store's own order export through HTTP with <c>?format=csv</c>: what cannot be read is said, and nothing beside it is lost.</summary>
public sealed class StoreExportIngestApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task BigCommerceExport_KeepsItsReadableOrders_AndNamesTheLineAndColumnOfEachUnreadableOne()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var csv = "Order ID,Customer Email,Order Date,Order Status,Subtotal (ex tax),Tax Total,Shipping Cost (ex tax),Order Total (inc tax),Order Currency Code,Product Details,Refund Amount\n" +
            "186,dawn@mail.example.com,26/10/2026,Shipped,265.50,21.25,5.00,\"$291.75\",USD,\"Product ID: 100, Product Qty: 1, Product SKU: A, Product Unit Price: 265.50, Product Total Price: 265.50\",0.0000\n" +
            "187,carl@mail.example.com,05/10/2026,Shipped,54.00,0.00,0.00,54.00,USD,,0.0000\n" +
            "188,li@mail.example.com,28/10/2026,Completed,100.00,8.25,0.00,n/a,USD,,0.0000\n" +
            "189,jo@mail.example.com,29/10/2026,Shipped,10.00,0.00,0.00,10.00,USD,\"Product ID: 7, Product Qty: many, Product SKU: B, Product Unit Price: 10.00\",0.0000\n";

        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders?format=csv", JsonBody(csv, "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal((4, 2, 2), (receipt.GetProperty("received").GetInt32(), receipt.GetProperty("inserted").GetInt32(), receipt.GetProperty("rejected").GetInt32()));
        var errors = receipt.GetProperty("errors").EnumerateArray().Select(e => (e.Str("orderId"), e.Str("field"), e.GetProperty("line").GetInt32())).ToList();
        // 05/10/2026 could be either day first or month first: not guessed. "n/a" is no total.
        Assert.Equal([("187", "Order Date", 3), ("188", "Order Total (inc tax)", 4)], errors);
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal(("189", "Product Details"), (warning.Str("orderId"), warning.Str("field")));
        Assert.Contains("Line 5, product 1: quantity 'many' is not a number.", warning.Str("message"));

        var stored = (await (await ws.Http.GetAsync("/api/v1/sources/store/orders/186")).Json()).GetProperty("order");
        Assert.Equal(("186", 291.75m, 21.25m, "USD"), (stored.Str("orderNumber"), stored.GetProperty("total").GetDecimal(), stored.GetProperty("tax").GetDecimal(), stored.Str("currency")));
        Assert.Equal("A", Assert.Single(stored.GetProperty("lines").EnumerateArray()).Str("sku"));
        var lineless = (await (await ws.Http.GetAsync("/api/v1/sources/store/orders/189")).Json()).GetProperty("order");
        Assert.Empty(lineless.GetProperty("lines").EnumerateArray());
    }
}
