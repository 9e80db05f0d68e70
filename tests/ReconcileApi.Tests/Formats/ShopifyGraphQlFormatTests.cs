using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

/// <summary>
/// Shopify GraphQL Admin <c>Order</c> objects: the same order as its REST object gives the same canonical order. The payload
/// is documented order 450789469 under the GraphQL fields (Vendor/SOURCES.md, round 9); the twins are the round-9 vendor cases.
/// </summary>
public sealed class ShopifyGraphQlFormatTests
{
    static readonly ShopifyGraphQlFormat Format = new();
    static readonly string Vendor = Path.Combine(AppContext.BaseDirectory, "Vendor");

    /// <summary>The orders of a JSON body as ingest finds them: located with the format's wrappers, each parsed on its own.</summary>
    static List<JsonElement> Located(string body, IJsonOrderFormat format)
    {
        Assert.True(JsonOrderList.TryLocate(System.Text.Encoding.UTF8.GetBytes(body), format.WrapperProperties, out var list, out var malformed), malformed?.ToString());
        return [.. Enumerable.Range(0, list.Elements.Count).Select(i => JsonOrderList.Parse(list.Element(i)).RootElement)];
    }

    static readonly JsonSerializerOptions Compared = new() { Converters = { new ExactDecimal() } };

    /// <summary>A canonical order as text to compare, amounts by their value (199.0 and 199.00 are one amount).</summary>
    static string Canonical(ReadOrder read) => $"{read.SkipReason}|{JsonSerializer.Serialize(read.Order, Compared)}";

    sealed class ExactDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();
        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString("G29", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Read_GivesDocumentedOrder450789469_TheCanonicalOrderItsRestObjectGives()
    {
        var rest = new ShopifyFormat().Read(JsonDocument.Parse(File.ReadAllText(Path.Combine(Vendor, "Payloads", "shopify-order-refund.json"))).RootElement.GetProperty("order"), Utc);
        var located = Located(File.ReadAllText(Path.Combine(Vendor, "Payloads", "shopify-graphql-orders-450789469.json")), Format);

        var read = Format.Read(Assert.Single(located), Utc);
        NoErrors(read);
        Assert.Empty(read.Problems.Warnings);
        Assert.Equal(Canonical(rest), Canonical(read));
        var o = read.Order;
        Assert.Equal(("450789469", "#1001", "USD", "partially_refunded"), (o.OrderId, o.OrderNumber, o.Currency, o.Status));
        Assert.Equal((598.94m, 598.94m, 209.00m), (o.Total, o.AmountPaid, o.AmountRefunded));
        // Refunded units stay on their lines: the refund is the order's payment state.
        Assert.Equal(["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"], o.Lines.Where(l => l.Kind == LineKind.Product).Select(l => l.Sku));
        Assert.All(o.Lines.Where(l => l.Kind == LineKind.Product), l => Assert.Equal(1m, l.Quantity));
        Assert.Equal("632910392", o.Lines[0].ProductId);
    }

    public static TheoryData<string> Twins =>
        [.. Directory.GetFiles(Path.Combine(Vendor, "Cases"), "shopify-graphql-*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order()];

    [Theory]
    [MemberData(nameof(Twins))]
    public void Read_GivesEachVendorCasesStoreOrder_TheCanonicalOrderOfItsRestTwin(string name)
    {
        var graphQl = JsonDocument.Parse(File.ReadAllText(Path.Combine(Vendor, "Cases", name + ".json"))).RootElement.GetProperty("store").GetProperty("body");
        var twin = name.Replace("shopify-graphql-", "shopify-", StringComparison.Ordinal);
        var rest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Vendor, "Cases", twin + ".json"))).RootElement.GetProperty("store").GetProperty("body");

        var expected = Located(rest.GetRawText(), new ShopifyFormat()).Select(e => Canonical(new ShopifyFormat().Read(e, Utc))).ToList();
        var actual = Located(graphQl.GetRawText(), Format).Select(e => Format.Read(e, Utc)).ToList();

        Assert.All(actual, NoErrors);
        Assert.Equal(expected, actual.Select(Canonical));
    }

    const string Order = """
        {"id": "gid://shopify/Order/5001", "name": "#2001", "processedAt": "2026-10-14T10:00:00-05:00", "currencyCode": "USD",
         "presentmentCurrencyCode": "USD", "displayFinancialStatus": "PAID", "test": false, "cancelledAt": null,
         "totalPriceSet": {"shopMoney": {"amount": "55.00", "currencyCode": "USD"}, "presentmentMoney": {"amount": "55.00", "currencyCode": "USD"}},
         "lineItems": LINES}
        """;

    const string Mug = """{"id": "gid://shopify/LineItem/1", "sku": "MUG-01", "name": "Mug", "quantity": 2, "currentQuantity": 2, "originalUnitPriceSet": {"shopMoney": {"amount": "25.00"}}}""";
    const string Tee = """{"id": "gid://shopify/LineItem/2", "sku": "TEE-01", "name": "Tee", "quantity": 1, "currentQuantity": 1, "originalUnitPriceSet": {"shopMoney": {"amount": "5.00"}}}""";

    [Fact]
    public void Read_TakesTheNumberOutOfTheGid_WhenLegacyResourceIdIsNotAsked()
    {
        var read = Format.Read(Json(Order.Replace("LINES", $"{{\"nodes\": [{Mug}]}}")), Utc);
        NoErrors(read);
        Assert.Equal(("5001", "#2001", "paid", 55.00m), (read.Order.OrderId, read.Order.OrderNumber, read.Order.Status, read.Order.AmountPaid));
    }

    [Fact]
    public void Read_GivesTheSameLines_FromNodesEdgesAndAPlainList()
    {
        var nodes = Format.Read(Json(Order.Replace("LINES", $"{{\"nodes\": [{Mug}, {Tee}]}}")), Utc).Order.Lines;
        var edges = Format.Read(Json(Order.Replace("LINES", $"{{\"edges\": [{{\"cursor\": \"a\", \"node\": {Mug}}}, {{\"cursor\": \"b\", \"node\": {Tee}}}]}}")), Utc).Order.Lines;
        var list = Format.Read(Json(Order.Replace("LINES", $"[{Mug}, {Tee}]")), Utc).Order.Lines;

        Assert.Equal(["MUG-01", "TEE-01"], nodes.Select(l => l.Sku));
        Assert.Equal(nodes, edges);
        Assert.Equal(nodes, list);
    }

    [Fact]
    public void Read_LeavesTheLinesOut_WhenAnEdgeHasNoNode()
    {
        // Comparing the lines that are there would report the one that is not as missing.
        var read = Format.Read(Json(Order.Replace("LINES", $"{{\"edges\": [{{\"node\": {Mug}}}, {{\"cursor\": \"b\"}}]}}")), Utc);
        NoErrors(read);
        Assert.Empty(read.Order.Lines);
        Assert.Contains(read.Problems.Warnings, w => w.Field == "lineItems.edges[1].node" && w.Message.StartsWith("Is missing.", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_SaysCancelled_WhenCancelledAtIsSet_AndSkipsATestOrder()
    {
        var cancelled = Format.Read(Json(Order.Replace("LINES", "[]").Replace("\"cancelledAt\": null", "\"cancelledAt\": \"2026-10-15T09:00:00Z\"")
            .Replace("\"PAID\"", "\"VOIDED\"")), Utc);
        NoErrors(cancelled);
        Assert.Equal(("cancelled", 0m), (cancelled.Order.Status, cancelled.Order.AmountPaid));

        var test = Format.Read(Json(Order.Replace("LINES", "[]").Replace("\"test\": false", "\"test\": true")), Utc);
        Assert.Equal(("5001", "test order"), (test.Order.OrderId, test.SkipReason));
    }

    [Fact]
    public void Read_KeepsShopMoneyAsTheOrdersMoney_AndThePresentmentMoneyAsPresentment()
    {
        var read = Format.Read(Json("""
            {"legacyResourceId": "5002", "name": "#2002", "processedAt": "2026-10-14T10:00:00Z", "currencyCode": "USD", "presentmentCurrencyCode": "EUR",
             "displayFinancialStatus": "PARTIALLY_REFUNDED",
             "totalPriceSet": {"shopMoney": {"amount": "110.00", "currencyCode": "USD"}, "presentmentMoney": {"amount": "100.00", "currencyCode": "EUR"}},
             "totalRefundedSet": {"shopMoney": {"amount": "22.00", "currencyCode": "USD"}, "presentmentMoney": {"amount": "20.00", "currencyCode": "EUR"}},
             "lineItems": {"nodes": []}}
            """), Utc);
        NoErrors(read);
        var o = read.Order;
        Assert.Equal(("USD", 110.00m, "EUR", 100.00m), (o.Currency, o.Total, o.PresentmentCurrency, o.PresentmentTotal));
        Assert.Equal(("partially_refunded", 22.00m), (o.Status, o.AmountRefunded));
    }

    [Fact]
    public void Read_RejectsAnOrderWithoutAnyId_NamingTheGraphQlFields()
    {
        var read = Format.Read(Json("""{"name": "#2003", "totalPriceSet": {"shopMoney": {"amount": "1.00"}}, "processedAt": "2026-10-14T10:00:00Z"}"""), Utc);
        var error = Assert.Single(read.Problems.Errors);
        Assert.Equal("orderId", error.Field);
        Assert.Contains("legacyResourceId", error.Message);
    }

    [Theory]
    [InlineData("""{"data": {"orders": {"edges": [{"cursor": "a", "node": {"id": "gid://shopify/Order/1"}}, {"cursor": "b", "node": {"id": "gid://shopify/Order/2"}}], "pageInfo": {"hasNextPage": false}}}, "extensions": {"cost": {"actualQueryCost": 4}}}""", "data.orders.edges.node", 2)]
    [InlineData("""{"data": {"orders": {"nodes": [{"id": "gid://shopify/Order/1"}]}}}""", "data.orders.nodes", 1)]
    [InlineData("""{"data": {"order": {"id": "gid://shopify/Order/1"}}}""", "data.order", 1)]
    [InlineData("""{"orders": {"nodes": [{"id": "gid://shopify/Order/1"}, {"id": "gid://shopify/Order/2"}]}}""", "orders.nodes", 2)]
    [InlineData("""{"orders": [{"id": "gid://shopify/Order/1"}]}""", "orders", 1)]
    [InlineData("""{"nodes": [{"id": "gid://shopify/Order/1"}]}""", "nodes", 1)]
    [InlineData("""{"data": {"orders": {"edges": [], "pageInfo": {"hasNextPage": false}}}}""", "data.orders.edges.node", 0)]
    public void Locate_FindsTheOrdersOfAGraphQlResponse_AndWhatIsPassedOnOfIt(string body, string wrapper, int count)
    {
        Assert.True(JsonOrderList.TryLocate(System.Text.Encoding.UTF8.GetBytes(body), Format.WrapperProperties, out var list, out _));
        Assert.Equal((wrapper, count), (list.Wrapper, list.Elements.Count));
        Assert.All(Enumerable.Range(0, count), i => Assert.StartsWith("{\"id\": \"gid://shopify/Order/", System.Text.Encoding.UTF8.GetString(list.Element(i).Span)));
    }

    [Fact]
    public void Locate_StillTakesAnObjectUnderAWrapperAsOneOrder_WhenNoLongerPathFindsOrdersInIt()
    {
        const string body = """{"orders": {"id": 7, "nodes": "a field of the order's own"}}""";
        Assert.True(JsonOrderList.TryLocate(System.Text.Encoding.UTF8.GetBytes(body), OrderFormats.JsonWrappers, out var list, out _));
        Assert.Equal(("orders", 1), (list.Wrapper, list.Elements.Count));
        Assert.Equal("""{"id": 7, "nodes": "a field of the order's own"}""", System.Text.Encoding.UTF8.GetString(list.Element(0).Span));
    }

    [Theory]
    [InlineData("legacyResourceId,name,createdAt,updatedAt,taxesIncluded", "shopify-graphql")]
    [InlineData("id,name,totalPriceSet,createdAt", "shopify-graphql")]
    [InlineData("id,name,email,processedAt,lineItems,displayFinancialStatus", "shopify-graphql")]
    [InlineData("orderId,createdAt,updatedAt,taxesIncluded,total", "canonical")]
    [InlineData("id,name,processedAt,lineItems", "shopify-graphql")]
    [InlineData("id,line_items,total_price,financial_status", "shopify")]
    public void Detect_TellsAGraphQlOrder_FromCanonicalAndRestOnes(string fields, string format) =>
        Assert.Equal(format, OrderFormats.DetectJson(fields.Split(',')).Format?.Name);
}
