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
        Assert.Equal((4, 3, 1), (receipt.GetProperty("received").GetInt32(), receipt.GetProperty("inserted").GetInt32(), receipt.GetProperty("rejected").GetInt32()));
        var errors = receipt.GetProperty("errors").EnumerateArray().Select(e => (e.Str("orderId"), e.Str("field"), e.GetProperty("line").GetInt32())).ToList();
        // "n/a" is no total.
        Assert.Equal([("188", "Order Total (inc tax)", 4)], errors);
        var warnings = receipt.GetProperty("warnings").EnumerateArray().ToDictionary(w => w.Str("orderId")!);
        Assert.Equal(["187", "189"], warnings.Keys.Order());
        // 05/10/2026 alone could be either; the file's 26/10/2026 says its dates are day first, and the receipt says so.
        Assert.Equal("Order Date", warnings["187"].Str("field"));
        Assert.Equal("Line 3: '05/10/2026' read day first, as the file writes its dates (line 2: '26/10/2026' in Order Date); send ?dateOrder=dmy or ?dateOrder=mdy to say so.",
            warnings["187"].Str("message"));
        Assert.Equal("Product Details", warnings["189"].Str("field"));
        Assert.Contains("Line 5, product 1: quantity 'many' is not a number.", warnings["189"].Str("message"));
        var dated = (await (await ws.Http.GetAsync("/api/v1/sources/store/orders/187")).Json()).GetProperty("order");
        Assert.Equal(new DateTime(2026, 10, 5, 0, 0, 0, DateTimeKind.Utc), dated.GetProperty("orderDate").GetDateTime().ToUniversalTime());

        var stored = (await (await ws.Http.GetAsync("/api/v1/sources/store/orders/186")).Json()).GetProperty("order");
        Assert.Equal(("186", 291.75m, 21.25m, "USD"), (stored.Str("orderNumber"), stored.GetProperty("total").GetDecimal(), stored.GetProperty("tax").GetDecimal(), stored.Str("currency")));
        Assert.Equal("A", Assert.Single(stored.GetProperty("lines").EnumerateArray()).Str("sku"));
        var lineless = (await (await ws.Http.GetAsync("/api/v1/sources/store/orders/189")).Json()).GetProperty("order");
        Assert.Empty(lineless.GetProperty("lines").EnumerateArray());
    }

    [Theory]
    // Month first shown by 10/25/2026 (a US Keap report): 10/05/2026 is 5 October.
    [InlineData("10/25/2026", "10/05/2026", null, "2026-10-05")]
    // The dates show both orders: nothing is decided, the ambiguous one is rejected as before.
    [InlineData("25/10/2026;10/26/2026", "05/10/2026", null, null)]
    // Every date either way: not guessed.
    [InlineData("01/10/2026", "02/10/2026", null, null)]
    // The request's order wins over what the file shows (and its dates that only the other order reads are rejected).
    [InlineData("10/25/2026", "10/05/2026", "dmy", "2026-05-10")]
    public async Task ATablesOwnDates_DecideItsAmbiguousOnes_OnlyWhenTheyAllShowOneOrder(string shown, string ambiguous, string? dateOrder, string? read)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var csv = "Order ID,Order Date,Order Total\n" + string.Concat(shown.Split(';').Select((date, i) => $"A{i},{date},10.00\n")) + $"B,{ambiguous},20.00\n";

        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders?format=csv" + (dateOrder is null ? "" : "&dateOrder=" + dateOrder), JsonBody(csv, "text/csv"));

        var receipt = await response.Json();
        var stored = await ws.Http.GetAsync("/api/v1/sources/store/orders/B");
        if (read is null)
        {
            var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray(), e => e.Str("orderId") == "B");
            Assert.Equal("Order Date", error.Str("field"));
            Assert.Contains("is ambiguous", error.Str("message"));
            Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
            return;
        }
        Assert.DoesNotContain(receipt.GetProperty("errors").EnumerateArray(), e => e.Str("orderId") == "B");
        Assert.Equal(DateTime.Parse(read + "T00:00:00Z").ToUniversalTime(),
            (await stored.Json()).GetProperty("order").GetProperty("orderDate").GetDateTime().ToUniversalTime());
        // Decided by the file, the receipt says so; decided by the request, it has nothing to say.
        Assert.Equal(dateOrder is null, receipt.GetProperty("warnings").EnumerateArray().Any(w => w.Str("orderId") == "B" && w.Str("message")!.Contains("as the file writes its dates")));
    }
}
