using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>The ingest pipeline over HTTP for every body shape: native JSON, CSV, .xlsx and form uploads.</summary>
public sealed class IngestFormatsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Formats", "Fixtures", name));

    [Theory]
    [InlineData("store", "shopify", "shopify-orders.json")]
    [InlineData("store", "woocommerce", "woocommerce-orders.json")]
    [InlineData("store", "bigcommerce", "bigcommerce-orders.json")]
    [InlineData("keap", "keap", "keap-v1-orders.json")]
    [InlineData("keap", "keap", "keap-v2-orders.json")]
    public async Task NativeJson_IsStoredAndEveryRecordAccountedFor(string source, string format, string fixture)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync($"/api/v1/sources/{source}/orders?format={format}", JsonBody(Fixture(fixture)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal(format, receipt.GetProperty("format").GetString());
        var received = receipt.GetProperty("received").GetInt32();
        Assert.True(received > 0);
        Assert.True(receipt.GetProperty("inserted").GetInt32() > 0);
        Assert.Equal(received, receipt.GetProperty("inserted").GetInt32() + receipt.GetProperty("rejected").GetInt32()
            + receipt.GetProperty("skipped").GetInt32() + receipt.GetProperty("updated").GetInt32() + receipt.GetProperty("unchanged").GetInt32());
    }

    /// <summary>Every vendor JSON body of the fixtures and the vendor cases, with the format it is in.</summary>
    public static IEnumerable<(string Name, string Source, string Format, string Body)> VendorBodies()
    {
        foreach (var (source, format, fixture) in new[] { ("store", "shopify", "shopify-orders.json"), ("store", "woocommerce", "woocommerce-orders.json"),
                     ("store", "bigcommerce", "bigcommerce-orders.json"), ("keap", "keap", "keap-v1-orders.json"), ("keap", "keap", "keap-v2-orders.json") })
            yield return (fixture, source, format, Fixture(fixture));
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Vendor", "Cases"), "*.json").Order())
        {
            var root = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            foreach (var side in new[] { "store", "keap" })
            {
                if (root.TryGetProperty(side, out var batch) && batch.TryGetProperty("body", out var body) && body.ValueKind != System.Text.Json.JsonValueKind.Null)
                    yield return ($"{Path.GetFileName(file)} ({side})", side, batch.GetProperty("format").GetString()!, body.GetRawText());
            }
        }
    }

    [Fact]
    public async Task VendorJson_WithoutFormat_IsDetected_AndReadAsWithIt()
    {
        using var detected = await factory.CreateWorkspaceAsync();
        using var told = await factory.CreateWorkspaceAsync();
        var bodies = VendorBodies().ToList();
        Assert.True(bodies.Count > 100, $"only {bodies.Count} vendor bodies found");
        foreach (var (name, source, format, body) in bodies)
        {
            var withFormat = await (await told.Http.PostAsync($"/api/v1/sources/{source}/orders?format={format}", JsonBody(body))).Json();
            var response = await detected.Http.PostAsync($"/api/v1/sources/{source}/orders", JsonBody(body));
            var receipt = await response.Json();

            Assert.True(format == receipt.GetProperty("format").GetString(), $"{name}: {receipt}");
            foreach (var count in new[] { "received", "inserted", "updated", "unchanged", "rejected", "skipped", "repeated" })
                Assert.True(withFormat.GetProperty(count).GetInt32() == receipt.GetProperty(count).GetInt32(), $"{name} {count}: {receipt} vs {withFormat}");
        }
    }

    [Theory]
    [InlineData("""{"orders": [{"id": 1, "line_items": [{"sku": "A", "quantity": 1, "price": "5.00"}], "total_price": "5.00"}]}""", "shopify")]
    [InlineData("""{"order": {"id": 2, "name": "#1002", "line_items": [], "total_price": "5.00", "created_at": "2026-11-01T10:00:00Z"}}""", "shopify")]
    [InlineData("""[{"id": 3, "line_items": [], "billing": {"email": "a@example.com"}, "date_created": "2026-11-01T10:00:00", "total": "5.00"}]""", "woocommerce")]
    [InlineData("""[{"id": 4, "date_created": "Sun, 01 Nov 2026 10:00:00 +0000", "total_inc_tax": "5.0000"}]""", "bigcommerce")]
    [InlineData("""{"orders": [{"id": 5, "order_items": [], "contact": {"email": "a@example.com"}, "total": 5}]}""", "keap")]
    [InlineData("""{"data": {"orders": {"edges": [{"node": {"id": "gid://shopify/Order/9", "name": "#1009", "createdAt": "2026-11-01T10:00:00Z", "taxesIncluded": false, "totalPriceSet": {"shopMoney": {"amount": "5.00"}}}}]}}}""", "shopify-graphql")]
    [InlineData("""[{"id": "gid://shopify/Order/10", "name": "#1010", "processedAt": "2026-11-01T10:00:00Z", "displayFinancialStatus": "PAID", "lineItems": {"nodes": []}}]""", "shopify-graphql")]
    [InlineData("""[{"orderId": "6", "total": 5, "line_items": "the caller's own field"}]""", "canonical")]
    [InlineData("""[{"total": 5}]""", "canonical")]
    public async Task JsonWithoutFormat_IsReadInTheShapeItsFieldsName(string body, string format)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body));
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.UnprocessableEntity, await response.Content.ReadAsStringAsync());
        Assert.Equal(format, (await response.Json()).GetProperty("format").GetString());
    }

    [Theory]
    [InlineData("""[{"id": 7, "line_items": [], "total_tax": "1.00"}]""", "?format=shopify or ?format=woocommerce")]
    [InlineData("""{"orders": [{"id": 8, "contact_email": "a@example.com", "total": "5"}]}""", "?format=shopify")]
    public async Task VendorLikeJson_ThatNoFormatWins_Is400NamingTheFormatsToSend(string body, string hint)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, hint);
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync("/api/v1/sources/store/orders/7")).StatusCode);
    }

    /// <summary>
    /// A Make or Zapier step that passes on a failed orders query sends Shopify's GraphQL error response instead of orders: it
    /// was read as one order and rejected for want of an id (a 422 that stored a batch of it). Orders beside errors (a partial
    /// response) are read.
    /// </summary>
    [Fact]
    public async Task ACanonicalOrderWithAFieldItDoesNotHave_IsStoredWithAWarningNamingIt_AndTheFieldItMeant()
    {
        // The canonical format is the service's own: a name it lacks is a typo or another naming, whose value was dropped without a word.
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """
            [{"orderId": "C-1", "orderDate": "2026-11-02T10:00:00Z", "total": "25.00", "customer_email": "ann@example.com", "totl": 3, "giftNote": "Happy birthday", "email": "ann@example.com",
              "lines": [{"sku": "MUG", "quantity": 1, "unitPrice": "25.00", "Kind": "product", "qty": 1}]}]
            """;
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body))).Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var warnings = receipt.GetProperty("warnings").EnumerateArray().ToDictionary(w => w.GetProperty("field").GetString()!, w => w.GetProperty("message").GetString()!);
        Assert.Equal(["customer_email", "email", "giftNote", "lines[0].qty", "totl"], warnings.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("Did you mean `customerEmail`?", warnings["email"]);
        Assert.Contains("Did you mean `quantity`?", warnings["lines[0].qty"]);
        Assert.Equal("Is not a field of the canonical order: not read.", warnings["giftNote"]);
        Assert.Contains("Did you mean `customerEmail`?", warnings["customer_email"]);
        Assert.Contains("Did you mean `total`?", warnings["totl"]);
        Assert.All(receipt.GetProperty("warnings").EnumerateArray(), w => Assert.Equal("C-1", w.GetProperty("orderId").GetString()));

        // Sent again as it is: unchanged, and told again.
        var again = await (await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body))).Json();
        Assert.Equal(1, again.GetProperty("unchanged").GetInt32());
        Assert.Equal(5, again.GetProperty("warnings").GetArrayLength());
    }

    /// <summary>
    /// A canonical order in PascalCase — a C# tool serializing with .NET's or Newtonsoft's defaults — is read as it is meant
    /// (ASP.NET Core binds JSON without regard to case): it was rejected for want of an `orderId`, every field dropped with a
    /// warning. Lines' fields too; a name that is no canonical one in any case is still warned about.
    /// </summary>
    /// <summary>
    /// A time without an offset is read in the request's zone; one a DST change skips (02:30 on 2026-03-08 in New York) or
    /// repeats (01:30 on 2026-11-01) is read at the zone's standard offset — possibly an hour from what was meant — and was
    /// taken without a word. The receipt now says so, in JSON and in a CSV export, and the order is stored.
    /// </summary>
    [Fact]
    public async Task ALocalTimeADstChangeSkipsOrRepeats_IsReadWithAWarningSayingHow()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """[{"orderId": "DST-1", "orderDate": "2026-03-08T02:30:00", "total": 5}, {"orderId": "DST-2", "orderDate": "2026-11-01T01:30:00", "total": 5}, {"orderId": "DST-3", "orderDate": "2026-11-01T03:30:00", "total": 5}]""";
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders?timezone=America/New_York", JsonBody(body))).Json();
        Assert.Equal(3, receipt.GetProperty("inserted").GetInt32());
        var warnings = receipt.GetProperty("warnings").EnumerateArray().ToDictionary(w => w.GetProperty("orderId").GetString()!, w => w.GetProperty("message").GetString()!);
        Assert.Equal(["DST-1", "DST-2"], warnings.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("'2026-03-08T02:30:00' does not exist in America/New_York: the clocks went forward over it. Read as 2026-03-08T07:30:00Z", warnings["DST-1"]);
        Assert.StartsWith("'2026-11-01T01:30:00' happened twice in America/New_York: the clocks went back over it. Read as 2026-11-01T06:30:00Z", warnings["DST-2"]);

        var csv = "order_id,total,order_date\nDST-4,5.00,2026-03-08 02:15\nDST-5,5.00,2026-03-08 04:15\n";
        var table = await (await ws.Http.PostAsync("/api/v1/sources/keap/orders?timezone=America/New_York", new StringContent(csv, Encoding.UTF8, "text/csv"))).Json();
        Assert.Equal(2, table.GetProperty("inserted").GetInt32());
        var warning = Assert.Single(table.GetProperty("warnings").EnumerateArray());
        Assert.Equal("DST-4", warning.GetProperty("orderId").GetString());
        Assert.StartsWith("Line 2: '2026-03-08 02:15' does not exist in America/New_York", warning.GetProperty("message").GetString());
    }

    /// <summary>
    /// The same tool wraps its orders as `{"Orders": [...], "IdempotencyKey": "..."}`: the wrapper was taken for one order
    /// (rejected, "Orders" warned about with a hint at `orderId`) and the key ignored, so a retry would have been stored twice.
    /// </summary>
    [Fact]
    public async Task APascalCaseWrapperAndIdempotencyKey_AreTakenAsTheirCamelCaseNames()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """{"Orders": [{"OrderId": "PW-1", "OrderDate": "2026-11-02T10:00:00Z", "Total": 12}, {"OrderId": "PW-2", "OrderDate": "2026-11-02T11:00:00Z", "Total": 13}], "IdempotencyKey": "zap-pw-1"}""";
        var first = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body));
        var receipt = await first.Json();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
        Assert.Empty(receipt.GetProperty("warnings").EnumerateArray());

        var retry = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body));
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(receipt.GetProperty("batchId").GetString(), (await retry.Json()).GetProperty("batchId").GetString());
    }

    [Fact]
    public async Task ACanonicalOrderInPascalCase_IsReadWhole_WithoutAFormatParameter()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """
            [{"OrderId": "P-1", "OrderDate": "2026-11-02T10:00:00Z", "Total": 30.5, "CustomerEmail": "Ann@Example.com", "Currency": "usd", "GiftNote": "hi",
              "Lines": [{"Kind": "product", "Sku": "MUG", "Quantity": 2, "UnitPrice": 12.25}, {"Kind": "shipping", "Quantity": 1, "UnitPrice": 6}]}]
            """;
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body))).Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal("GiftNote", warning.GetProperty("field").GetString());

        var order = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/P-1")).Json();
        var stored = order.TryGetProperty("order", out var inner) ? inner : order;
        Assert.Equal(30.5m, stored.GetProperty("total").GetDecimal());
        Assert.Equal("USD", stored.GetProperty("currency").GetString());
        Assert.Equal("Ann@Example.com", stored.GetProperty("customerEmail").GetString());
        Assert.Equal(2, stored.GetProperty("lines").GetArrayLength());
        Assert.Equal("MUG", stored.GetProperty("lines")[0].GetProperty("sku").GetString());
        Assert.Equal(12.25m, stored.GetProperty("lines")[0].GetProperty("unitPrice").GetDecimal());
    }

    [Fact]
    public async Task ACsvHeaderOneEditFromAFieldTheTableLacks_IsToldOnce_AndOtherUnreadColumnsAreNot()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var csv = "order_id,total,order_date,customer_emial,customer_note,Order Notes\nT-1,10.00,2026-11-02,a@example.com,gift,\nT-2,12.00,2026-11-02,b@example.com,,rush\n";
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders", new StringContent(csv, Encoding.UTF8, "text/csv"))).Json();
        Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal("customer_emial", warning.GetProperty("field").GetString());
        Assert.Equal(0, warning.GetProperty("index").GetInt32());
        Assert.Contains("did you mean 'customer email' (customerEmail)? Rename the header, or map it: ?columnMap=customerEmail=customer_emial",
            warning.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ACanonicalOrderInSnakeCase_IsRejectedWithWarningsNamingTheCamelCaseFields()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/keap/orders",
            JsonBody("""[{"order_id": "K77", "total": "25.00", "order_date": "2026-11-02", "lines": []}]"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal("orderId", receipt.GetProperty("errors")[0].GetProperty("field").GetString());
        var warnings = receipt.GetProperty("warnings").EnumerateArray().Select(w => $"{w.GetProperty("field").GetString()}: {w.GetProperty("message").GetString()}").ToList();
        Assert.Contains(warnings, w => w.StartsWith("order_id: ") && w.Contains("Did you mean `orderId`?"));
        Assert.Contains(warnings, w => w.StartsWith("order_date: ") && w.Contains("Did you mean `orderDate`?"));

        // Without a field that makes it canonical, detection cannot tell; the hint names the camelCase fields too.
        var undetected = await ws.Http.PostAsync("/api/v1/sources/keap/orders", JsonBody("""{"order_id": "K78", "total": "1.00", "order_date": "12/01/2026"}"""));
        await undetected.AssertProblemAsync(HttpStatusCode.BadRequest, "For canonical orders the names are camelCase: order_date → orderDate, order_id → orderId.");
    }

    [Theory]
    [InlineData("""{"data": {"orders": null}, "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}], "extensions": {"cost": {"requestedQueryCost": 752}}}""", "?format=shopify-graphql", "errors[0].message: \"Throttled\", code THROTTLED")]
    [InlineData("""{"errors": [{"message": "Field 'foo' doesn't exist on type 'Order'", "locations": [{"line": 1, "column": 20}]}, {"message": "Variable $first is declared but not used"}]}""", "", "errors[0].message: \"Field 'foo' doesn't exist on type 'Order'\", and 1 more")]
    public async Task AGraphQlErrorResponse_IsA400SayingItsError_AndStoresNothing(string body, string format, string said)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync($"/api/v1/sources/store/orders{format}", JsonBody(body));
        var problem = await response.Json();
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "GraphQL error response");
        Assert.Equal(said, problem.GetProperty("errors").GetProperty("errors")[0].GetString());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/sources/store/orders")).Json()).GetProperty("items").EnumerateArray());

        var partial = """{"data": {"orders": {"nodes": [{"legacyResourceId": "11", "name": "#1011", "createdAt": "2026-11-01T10:00:00Z", "totalPriceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}}}]}}, "errors": [{"message": "Access denied for customer field"}]}""";
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(partial))).Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
    }

    /// <summary>A step that maps an orders query's <c>data.orders.edges</c> into the body sends the edges themselves: each order is its node.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("?format=shopify-graphql")]
    public async Task AnArrayOfGraphQlEdges_IsReadAsTheirNodes(string format)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """
            [{"cursor": "eyJsYXN0X2lkIjoxMiwibGFzdF92YWx1ZSI6IjEyIn0=", "node": {"id": "gid://shopify/Order/12", "legacyResourceId": "12", "name": "#1012",
               "createdAt": "2026-11-01T10:00:00Z", "displayFinancialStatus": "PAID", "totalPriceSet": {"shopMoney": {"amount": "25.00", "currencyCode": "USD"}}}},
             {"cursor": "eyJsYXN0X2lkIjoxMywibGFzdF92YWx1ZSI6IjEzIn0=", "node": {"id": "gid://shopify/Order/13", "legacyResourceId": "13", "name": "#1013",
               "createdAt": "2026-11-01T11:00:00Z", "displayFinancialStatus": "PAID", "test": true, "totalPriceSet": {"shopMoney": {"amount": "1.00", "currencyCode": "USD"}}}}]
            """;
        var response = await ws.Http.PostAsync($"/api/v1/sources/store/orders{format}", JsonBody(body));
        var receipt = await response.Json();

        Assert.True(HttpStatusCode.Created == response.StatusCode, receipt.ToString());
        Assert.Equal("shopify-graphql", receipt.GetProperty("format").GetString());
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        Assert.Equal(1, receipt.GetProperty("skipped").GetInt32());
        var order = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/12")).Json();
        Assert.Equal("#1012", order.GetProperty("order").GetProperty("orderNumber").GetString());
        Assert.Equal(25m, order.GetProperty("order").GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task Shopify_SkipsTestOrders_AndCountsThem()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """
            {"orders": [
              {"id": 1, "name": "#1001", "email": "a@example.com", "created_at": "2026-10-01T10:00:00-05:00", "currency": "USD",
               "total_price": "10.00", "financial_status": "paid", "line_items": []},
              {"id": 2, "name": "#1002", "test": true, "created_at": "2026-10-01T10:00:00-05:00", "currency": "USD",
               "total_price": "1.00", "financial_status": "paid", "line_items": []}
            ]}
            """;
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders?format=shopify", JsonBody(body))).Json();

        Assert.Equal(2, receipt.GetProperty("received").GetInt32());
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        Assert.Equal(1, receipt.GetProperty("skipped").GetInt32());
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/1")).Json();
        Assert.Equal(new DateTime(2026, 10, 1, 15, 0, 0, DateTimeKind.Utc), stored.GetProperty("order").GetProperty("orderDate").GetDateTime());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync("/api/v1/sources/store/orders/2")).StatusCode);
    }

    [Theory]
    [InlineData("paid", "pending", "paid")]
    [InlineData("pending", "paid", "paid")]
    public async Task AnOrderTwiceInABatch_KeepsItsNewerVersion_ByItsUpdatedTime(string first, string second, string kept)
    {
        // Webhooks arrive out of order: orders/paid (updated 10:05) can come before the orders/create (10:00) it follows.
        using var ws = await factory.CreateWorkspaceAsync();
        string Version(string status) => $$"""
            {"id": 5, "name": "#1005", "email": "a@example.com", "created_at": "2026-10-01T10:00:00-05:00",
             "updated_at": "{{(status == "paid" ? "2026-10-01T10:05:00-05:00" : "2026-10-01T10:00:00-05:00")}}", "currency": "USD",
             "total_price": "10.00", "financial_status": "{{status}}", "line_items": []}
            """;
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders?format=shopify", JsonBody($"[{Version(first)}, {Version(second)}]"))).Json();

        Assert.Equal((1, 1), (receipt.GetProperty("inserted").GetInt32(), receipt.GetProperty("repeated").GetInt32()));
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal(0, warning.GetProperty("index").GetInt32());
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/5")).Json();
        Assert.Equal(kept, stored.GetProperty("order").GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnOlderVersionThanTheOneStored_ChangesNothing_AndIsCountedSkippedWithAWarning()
    {
        // The orders/paid webhook (updated 10:05) reached the connector's request before orders/create (10:00).
        using var ws = await factory.CreateWorkspaceAsync();
        string Version(string status, string updated) => $$"""
            [{"id": 6, "name": "#1006", "email": "a@example.com", "created_at": "2026-10-01T10:00:00-05:00",
              "updated_at": "{{updated}}", "currency": "USD", "total_price": "10.00", "financial_status": "{{status}}", "line_items": []}]
            """;
        async Task<JsonElement> Send(string status, string updated) =>
            await (await ws.Http.PostAsync("/api/v1/sources/store/orders?format=shopify", JsonBody(Version(status, updated)))).Json();
        async Task<(string?, int)> Stored()
        {
            var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/6")).Json();
            return (stored.GetProperty("order").GetProperty("status").GetString(), stored.GetProperty("version").GetInt32());
        }
        await Send("paid", "2026-10-01T10:05:00-05:00");

        var late = await Send("pending", "2026-10-01T10:00:00-05:00");

        Assert.Equal((0, 0, 1), (late.GetProperty("updated").GetInt32(), late.GetProperty("unchanged").GetInt32(), late.GetProperty("skipped").GetInt32()));
        var warning = Assert.Single(late.GetProperty("warnings").EnumerateArray());
        Assert.Equal(("updatedAt", 0), (warning.GetProperty("field").GetString(), warning.GetProperty("index").GetInt32()));
        // Both times as instants, as stored: 10:00 and 10:05 at -05:00.
        Assert.Contains("updated earlier (2026-10-01T15:00:00Z) than the one stored (2026-10-01T15:05:00Z)", warning.GetProperty("message").GetString());
        Assert.Contains("the stored version was kept", warning.GetProperty("message").GetString());
        Assert.Equal(("paid", 1), await Stored());

        // A newer version is an update as always.
        var refunded = await Send("refunded", "2026-10-02T09:00:00-05:00");
        Assert.Equal(1, refunded.GetProperty("updated").GetInt32());
        Assert.Equal(("refunded", 2), await Stored());
    }

    [Fact]
    public async Task AnOlderWooCommerceVersion_ByItsDateModifiedGmt_ChangesNothing()
    {
        // WooCommerce's order.updated webhooks are not ordered either: "processing" (modified 10:00 UTC) arrives after "completed" (10:30).
        using var ws = await factory.CreateWorkspaceAsync();
        string Version(string status, string modified) => $$"""
            [{"id": 727, "number": "727", "status": "{{status}}", "currency": "USD", "total": "10.00", "date_created_gmt": "2026-10-01T09:00:00",
              "date_modified_gmt": "{{modified}}", "billing": {"email": "a@example.com"}, "line_items": []}]
            """;
        async Task<JsonElement> Send(string status, string modified) =>
            await (await ws.Http.PostAsync("/api/v1/sources/store/orders?format=woocommerce", JsonBody(Version(status, modified)))).Json();
        await Send("completed", "2026-10-01T10:30:00");

        var late = await Send("processing", "2026-10-01T10:00:00");

        Assert.Equal((0, 1), (late.GetProperty("updated").GetInt32(), late.GetProperty("skipped").GetInt32()));
        Assert.Contains("updated earlier (2026-10-01T10:00:00Z) than the one stored (2026-10-01T10:30:00Z)",
            Assert.Single(late.GetProperty("warnings").EnumerateArray()).GetProperty("message").GetString());
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/727")).Json();
        Assert.Equal("completed", stored.GetProperty("order").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Shopify_AcceptsASingleWrappedOrder()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """{"order": {"id": 7, "name": "#1007", "total_price": "5.00", "financial_status": "paid", "currency": "USD"}}""";
        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders?format=shopify", JsonBody(body))).Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
    }

    [Fact]
    public async Task ShopifyCsvExport_IsDetectedFromItsHeader_AndGroupsLineRowsByName()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(Fixture("shopify-orders-export.csv"), "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal("shopify-csv", receipt.GetProperty("format").GetString());
        Assert.True(receipt.GetProperty("inserted").GetInt32() > 0);
    }

    [Fact]
    public async Task KeapCsv_IsDetected_WhenUploadedAsAFormFile()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(Fixture("keap-orders-report.csv")));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "orders-report.csv");

        var response = await ws.Http.PostAsync("/api/v1/sources/keap/orders?dateOrder=mdy", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal("keap-csv", receipt.GetProperty("format").GetString());
        Assert.True(receipt.GetProperty("inserted").GetInt32() > 0);
        var order = await (await ws.Http.GetAsync("/api/v1/sources/keap/orders/2")).Json();
        Assert.Equal("Shopify Order #1001", order.GetProperty("order").GetProperty("orderNumber").GetString());
    }

    [Fact]
    public async Task GenericCsv_UsesTheColumnMap_AndReportsTheLineOfABadRow()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var csv = "Ref;Grand Total;Buyer\n\"A-1\";\"1.234,50\";a@example.com\nA-2;lots;b@example.com\n\n";

        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders?format=csv&columnMap=orderId=Ref;total=Grand Total;customerEmail=Buyer",
            JsonBody(csv, "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        Assert.Equal("A-2", error.GetProperty("orderId").GetString());
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/A-1")).Json();
        Assert.Equal(1234.50m, stored.GetProperty("order").GetProperty("total").GetDecimal());
        var batch = await (await ws.Http.GetAsync(response.Headers.Location)).Json();
        Assert.Equal("lots", batch.GetProperty("rejectedRecords")[0].GetProperty("Grand Total").GetString());
    }

    [Fact]
    public async Task CsvRowWithMoreCellsThanTheHeader_IsRejectedNamingItsLine_AndAShortRowReadsItsMissingCellsAsEmpty()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // An unquoted decimal comma: "1,234.56" splits in two and the name moves to a fifth cell.
        var csv = "orderId,orderDate,total,customerName\ncc10,2026-11-20,1,234.56,Bob Smith\ncc11,2026-11-20,5\n";

        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(csv, "text/csv"));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        Assert.Empty(receipt.GetProperty("warnings").EnumerateArray());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal("cc10", error.GetProperty("orderId").GetString());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Contains("Line 2 has 5 cells where the header has 4", error.GetProperty("message").GetString());
        await (await ws.Http.GetAsync("/api/v1/sources/store/orders/cc10")).AssertProblemAsync(HttpStatusCode.NotFound);
        var shortRow = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/cc11")).Json();
        Assert.Equal(JsonValueKind.Null, shortRow.GetProperty("order").GetProperty("customerName").ValueKind);
        var batch = await (await ws.Http.GetAsync(response.Headers.Location)).Json();
        Assert.Equal("Bob Smith", batch.GetProperty("rejectedRecords")[0].GetProperty("column 5").GetString());
    }

    [Fact]
    public async Task WorkbookValueInAColumnWithoutHeader_RejectsItsOrder_AndEmptyCellsPastTheHeaderAreNothing()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var xlsx = Workbooks.Xlsx(
            new Dictionary<string, object> { ["Order Id"] = "W-1", ["Total"] = 5, [""] = "" },
            new Dictionary<string, object> { ["Order Id"] = "W-2", ["Total"] = 7, [""] = "a note" });
        var body = new ByteArrayContent(xlsx);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

        var receipt = await (await ws.Http.PostAsync("/api/v1/sources/store/orders", body)).Json();

        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal("W-2", error.GetProperty("orderId").GetString());
        Assert.Contains("Line 3 has 3 cells where the header has 2", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task CsvRowsOfOneOrder_ThatDisagreeOnAnOrderField_KeepTheFirstWithAWarningNamingBoth()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // sc2's rows agree: the same amount and instant written otherwise, or nothing.
        var csv = "orderId,total,orderDate\nsc1,1,2026-11-20\nsc1,2,2026-11-20\nsc2,3,2026-11-20\nsc2,3.00,2026-11-20T00:00:00Z\nsc2,,\n";

        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(csv, "text/csv"));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal("sc1", warning.GetProperty("orderId").GetString());
        Assert.Equal("total", warning.GetProperty("field").GetString());
        Assert.Equal("Line 3: '2' differs from '1' on line 2 of the same order; '1' was kept.", warning.GetProperty("message").GetString());
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/sc1")).Json();
        Assert.Equal(1m, stored.GetProperty("order").GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task Workbook_IsReadFromItsFirstSheet_AsABodyOrAnUpload()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var xlsx = Workbooks.Xlsx(
            new Dictionary<string, object> { ["Order Id"] = "X-1", ["Total"] = 19.99, ["Date"] = new DateTime(2026, 10, 1, 9, 30, 0), ["Email"] = "x@example.com" },
            new Dictionary<string, object> { ["Order Id"] = "X-2", ["Total"] = 5, ["Date"] = new DateTime(2026, 10, 2), ["Email"] = "y@example.com" });

        var body = new ByteArrayContent(xlsx);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var direct = await ws.Http.PostAsync("/api/v1/sources/store/orders?timezone=America/New_York", body);
        Assert.Equal(HttpStatusCode.Created, direct.StatusCode);
        Assert.Equal(2, (await direct.Json()).GetProperty("inserted").GetInt32());
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/X-1")).Json();
        Assert.Equal(19.99m, stored.GetProperty("order").GetProperty("total").GetDecimal());
        Assert.Equal(new DateTime(2026, 10, 1, 13, 30, 0, DateTimeKind.Utc), stored.GetProperty("order").GetProperty("orderDate").GetDateTime());

        using var form = new MultipartFormDataContent { { new ByteArrayContent(xlsx), "file", "export.xlsx" } };
        var upload = await (await ws.Http.PostAsync("/api/v1/sources/store/orders?timezone=America/New_York", form)).Json();
        Assert.Equal(2, upload.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task MalformedCsv_Returns400WithTheLine_AndStoresNothing()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders?format=csv", JsonBody("Order Id,Total\nM-1,1\nM-2,\"2\n", "text/csv"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "line 3");
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync("/api/v1/sources/store/orders/M-1")).StatusCode);
    }

    [Fact]
    public async Task FormUpload_Returns400_WithoutAFileField()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var form = new MultipartFormDataContent { { new StringContent("x"), "other" } };
        await (await ws.Http.PostAsync("/api/v1/sources/store/orders", form)).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
    }

    [Theory]
    [InlineData("shopify-csv", "application/json", "[]")]
    [InlineData("shopify", "text/csv", "Name\n#1")]
    public async Task FormatAndBody_Return415_WhenTheyDoNotFit(string format, string contentType, string body)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync($"/api/v1/sources/store/orders?format={format}", JsonBody(body, contentType));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, format);
    }

    [Theory]
    [InlineData("woocommerce", """[{"id": 711, "total": "1.00", "date_created_gmt": "2026-10-01T10:00:00", "billing": "bob@example.com"}]""", "billing")]
    [InlineData("bigcommerce", """[{"id": 712, "total_inc_tax": "1.0000", "date_created": "Thu, 01 Oct 2026 10:00:00 +0000", "billing_address": "nope"}]""", "billing_address")]
    [InlineData("shopify", """{"orders": [{"id": 713, "total_price": "1.00", "created_at": "2026-10-01T10:00:00Z", "customer": ["bob@example.com"]}]}""", "customer")]
    [InlineData("keap", """[{"id": 714, "total": 1, "order_date": "2026-10-01T10:00:00Z", "contact": "bob@example.com"}]""", "contact")]
    [InlineData("shopify", """{"orders": [{"id": 715, "total_price": "1.00", "created_at": "2026-10-01T10:00:00Z", "total_price_set": 5}]}""", "total_price_set")]
    public async Task VendorObjectOfAnotherKind_IsOneWarningNamingIt_AndTheOrderIsStored(string format, string body, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync($"/api/v1/sources/store/orders?format={format}", JsonBody(body));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal(field, warning.GetProperty("field").GetString());
        Assert.Contains("Must be a JSON object", warning.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("shopify", """{"orders": [{"id": 3001, "total_price": "1.00", "created_at": "2026-10-01T10:00:00Z", "total_tax": "abc"}]}""", "total_tax")]
    [InlineData("shopify", """{"orders": [{"id": 3002, "total_price": "1.00", "created_at": "2026-10-01T10:00:00Z", "subtotal_price": "abc"}]}""", "subtotal_price")]
    [InlineData("shopify", """{"orders": [{"id": 3003, "total_price": "1.00", "created_at": "2026-10-01T10:00:00Z", "financial_status": {"paid": true}}]}""", "financial_status")]
    [InlineData("shopify", """{"orders": [{"id": 3004, "total_price": "1.00", "current_total_price": "0.50", "created_at": "2026-10-01T10:00:00Z", "line_items": [{"id": 1, "quantity": 2, "current_quantity": 1, "price": "0.50"}], "refunds": [{"refund_line_items": "none"}]}]}""", "refunds[0].refund_line_items")]
    [InlineData("bigcommerce", """[{"id": 3005, "total_inc_tax": "1.0000", "date_created": "Thu, 01 Oct 2026 10:00:00 +0000", "currency_code": {"code": "USD"}}]""", "currency_code")]
    [InlineData("bigcommerce", """[{"id": 3006, "total_inc_tax": "1.0000", "date_created": "Thu, 01 Oct 2026 10:00:00 +0000", "products": [{"id": 1, "quantity": 1, "price_inc_tax": "1.0000", "base_price": "abc"}]}]""", "products[0].base_price")]
    public async Task AFieldReadForTwoPurposes_IsWarnedAboutOnce(string format, string body, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync($"/api/v1/sources/store/orders?format={format}", JsonBody(body));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var warnings = (await response.Json()).GetProperty("warnings").EnumerateArray().ToList();
        Assert.Single(warnings, w => w.GetProperty("field").GetString() == field);
        Assert.Equal(warnings.Count, warnings.Select(w => w.GetRawText()).Distinct().Count());
    }

    [Fact]
    public async Task WooCommerce_ReadsSiteLocalDatesInTheGivenTimezone_WhenNoGmtDateIsSent()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = """[{"id": 727, "number": "727", "status": "processing", "currency": "USD", "date_created": "2026-10-01T10:00:00", "total": "29.35", "billing": {"email": "john@example.com"}, "line_items": []}]""";

        await ws.Http.PostAsync("/api/v1/sources/store/orders?format=woocommerce&timezone=Europe/Berlin", JsonBody(body));

        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/727")).Json();
        Assert.Equal(new DateTime(2026, 10, 1, 8, 0, 0, DateTimeKind.Utc), stored.GetProperty("order").GetProperty("orderDate").GetDateTime());
    }

    [Theory]
    [InlineData("Mars/Base")]
    // Folders of the system's zoneinfo, which the runtime answers with I/O errors rather than "not found".
    [InlineData("America")]
    [InlineData("Etc")]
    [InlineData("America/")]
    [InlineData("posix")]
    public async Task Timezone_Returns400_WhenItIsNotAZone(string zone)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await (await ws.Http.PostAsync($"/api/v1/sources/store/orders?timezone={zone}", JsonBody("[]"))).AssertProblemAsync(HttpStatusCode.BadRequest, zone);
        using var admin = factory.CreateAdminClient();
        await (await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Zone test", timezone = zone })).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
