using System.Net;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// The fifth probe of the running service: what the earlier probes left (a property name that is not valid text in every
/// JSON shape, text that is the same when Unicode says so), each through real HTTP.
/// </summary>
public sealed class ProbeFiveTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    const string StoreOrders = "/api/v1/sources/store/orders";

    /// <summary>An order whose property name is a lone surrogate escape, before and after its id, beside a good order; each format's id field.</summary>
    public static TheoryData<string, string, string> NamesThatAreNotText => new()
    {
        { "", """[{"orderId":"A","total":1,"\ud800":1},{"orderId":"B","total":1}]""", "A" },
        { "", """[{"\ud800":1,"orderId":"A","total":1},{"orderId":"B","total":1}]""", "A" },
        { "?format=canonical", """[{"\udc00x":1,"orderId":"A","total":1},{"orderId":"B","total":1}]""", "A" },
        { "?format=shopify", """{"orders":[{"id":1,"name":"#1","total_price":"1.00","\ud800":1},{"id":2,"name":"#2","total_price":"1.00"}]}""", "1" },
        { "?format=shopify", """{"orders":[{"\ud800":1,"id":1,"name":"#1","total_price":"1.00"},{"id":2,"name":"#2","total_price":"1.00"}]}""", "1" },
        { "?format=woocommerce", """[{"id":1,"total":"1","\ud800":1},{"id":2,"total":"1"}]""", "1" },
        { "?format=bigcommerce", """[{"id":1,"total_inc_tax":"1","\ud800":1},{"id":2,"total_inc_tax":"1"}]""", "1" },
        { "?format=keap", """[{"id":1,"title":"Order 1","total":1,"\ud800":1},{"id":2,"title":"Order 2","total":1}]""", "1" },
        // Without ?format= the first orders' names decide the format.
        { "", """[{"id":1,"line_items":[],"total_price":"1.00","\ud800":1},{"id":2,"line_items":[],"total_price":"1.00"}]""", "1" },
    };

    [Theory]
    [MemberData(nameof(NamesThatAreNotText))]
    public async Task APropertyNameThatIsNotText_RejectsThatOrderOnly_NamingIt_InEveryJsonShape(string query, string body, string orderId)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders + query, JsonBody(body));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal(orderId, error.Str("orderId"));
        Assert.Equal("(a property name)", error.Str("field"));
        Assert.Contains("not valid text", error.Str("message"));
    }

    [Fact]
    public async Task AWrapperObjectWithANameThatIsNotText_IsReadForItsOrders()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody("""{"\ud800":1,"orders":[{"orderId":"B","total":1}]}"""));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, (await response.Json()).GetProperty("inserted").GetInt32());
    }

    /// <summary>
    /// "zoë" typed as one letter (U+00EB, NFC) and as e with a combining diaeresis (U+0308, NFD: macOS, some forms and
    /// imports) is one text: the same email, key and SKU to whoever reads it. Other letters stay other letters.
    /// </summary>
    [Fact]
    public async Task AnAccentComposedOrDecomposed_IsOneEmailOneSkuAndOneEmailForFuzzyMatching_OtherLettersStayOther()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const string Composed = "zo\u00eb@example.com", Decomposed = "zoe\u0308@example.com";
        var line = new[] { new { sku = "CAF\u00c9-MUG", name = "Mug", quantity = 1, unitPrice = 10m } };
        var lineDecomposed = new[] { new { sku = "CAFE\u0301-MUG", name = "Mug", quantity = 1, unitPrice = 10m } };
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#2001", 10m, email: Composed, date: Day).With("lines", line),
            Order("S2", "#2002", 10m, email: "ZO\u00cb@example.com", date: Day).With("lines", line),
            // No reference on the Keap side: paired by email, amount and day.
            Order("S3", "#2003", 33m, email: Composed, date: Day),
            // Another letter: a dotless \u0131 is not an i, so this one is a finding.
            Order("S4", "#2004", 10m, email: "\u0131lker@example.com", date: Day),
            StoreAnchor(),
        });
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K1", "Shopify Order #2001", 10m, "PAID", email: Decomposed, date: Day).With("lines", lineDecomposed),
            Order("K2", "Shopify Order #2002", 10m, "PAID", email: Decomposed.ToUpperInvariant(), date: Day).With("lines", lineDecomposed),
            Order("K3", "Annual order", 33m, "PAID", email: Decomposed, date: Day),
            Order("K4", "Shopify Order #2004", 10m, "PAID", email: "ilker@example.com", date: Day),
            KeapAnchor(),
        });

        var run = await ws.Http.RunAsync(Window);

        Assert.True(run.Str("status") == "succeeded", run.GetRawText());
        var items = await ws.Http.DiscrepanciesAsync("?limit=500");
        var found = items.Select(d => $"{d.Str("category")} {d.Str("orderKey")}").Order().ToList();
        Assert.Equal(["email_mismatch 2004", "probable_match 2003"], found);
    }

    /// <summary>Our own bodies: a property name that is not valid text was "Must be a JSON object" on the object that held it.</summary>
    [Theory]
    [InlineData("/api/v1/runs", "POST", """{"\ud800":1}""", "(a property name)")]
    [InlineData("/api/v1/settings", "PUT", """{"statusMap":{"\ud800":"paid"}}""", "statusMap.(a property name)")]
    [InlineData("/api/v1/schedules", "POST", """{"name":"n","cron":"0 6 * * *","alerts":[{"\udc00":1}]}""", "alerts[0].(a property name)")]
    public async Task APropertyNameThatIsNotText_InOurOwnBodies_Is400NamingIt(string path, string method, string body, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonBody(body) });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = (await response.Json()).GetProperty("errors");
        var messages = errors.GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains("not valid text", Assert.Single(messages));
        Assert.Single(errors.EnumerateObject());
    }

    /// <summary>
    /// A header twice (two exports pasted side by side, a column copied): the first column is read, as before, and a row whose
    /// copy holds another value is warned about naming both, never dropped unsaid; copies that agree, or an empty copy, say nothing.
    /// </summary>
    [Fact]
    public async Task AColumnTwiceInATable_IsReadFromTheFirst_AndAnotherValueInTheCopyIsAWarning()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const string Csv = "orderId,orderDate,total,Total\nA,2026-11-10T12:00:00Z,10,12\nB,2026-11-10T12:00:00Z,5,5.00\nC,2026-11-10T12:00:00Z,7,\n";

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody(Csv, "text/csv"));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(3, receipt.GetProperty("inserted").GetInt32());
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal("A", warning.Str("orderId"));
        Assert.Equal("total", warning.Str("field"));
        Assert.Contains("'12'", warning.Str("message"));
        Assert.Contains("'10'", warning.Str("message"));
        var order = await (await ws.Http.GetAsync(StoreOrders + "/A")).Json();
        Assert.Equal(10m, order.GetProperty("order").GetProperty("total").GetDecimal());
    }

    [Theory]
    [InlineData("total%3DX;total%3DY")]
    [InlineData("total%3DX;Total%3DY")]
    [InlineData("%7B%22total%22:%22X%22,%22total%22:%22Y%22%7D")]
    public async Task AColumnMapThatMapsAFieldTwice_IsA400OnIt(string map)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders + "?columnMap=" + map, JsonBody("orderId,X,Y\nA,1,2\n", "text/csv"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "more than once");
        var errors = (await response.Json()).GetProperty("errors");
        Assert.Contains("more than once", errors.GetProperty("columnMap")[0].GetString());
    }

    /// <summary>
    /// Separators that group no thousands were dropped and the digits left read as the amount: "1.2.3" was 123, "1,2.50" 12.50.
    /// Such an amount rejects its order naming the field, in JSON and in a table; amounts grouped in threes (or as in India) still read.
    /// </summary>
    [Theory]
    [InlineData("application/json", "1.2.3")]
    [InlineData("application/json", "12,5,0")]
    [InlineData("application/json", "1,2.50")]
    [InlineData("application/json", "1.234.5")]
    [InlineData("application/json", "1,5000")]
    [InlineData("text/csv", "1.2.3")]
    [InlineData("text/csv", "1.23.45,00")]
    public async Task AnAmountWhoseSeparatorsGroupNoThousands_RejectsItsOrder_NotReadAsItsDigits(string contentType, string total)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = contentType == "text/csv"
            ? $"orderId,total\nBAD,\"{total}\"\nOK,\"1.234.567,89\"\nIN,\"12,34,567.00\"\n"
            : $$"""[{"orderId":"BAD","total":"{{total}}"},{"orderId":"OK","total":"1.234.567,89"},{"orderId":"IN","total":"12,34,567.00"}]""";

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody(body, contentType));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal("BAD", error.Str("orderId"));
        Assert.Equal("total", error.Str("field"));
        Assert.Equal(1234567.89m, (await (await ws.Http.GetAsync(StoreOrders + "/OK")).Json()).GetProperty("order").GetProperty("total").GetDecimal());
        Assert.Equal(1234567m, (await (await ws.Http.GetAsync(StoreOrders + "/IN")).Json()).GetProperty("order").GetProperty("total").GetDecimal());
    }

    /// <summary>
    /// An order may hold 10,000 lines. Its lines were paired by scanning the other side for every line: a pair of such orders
    /// took 5–11 s of a run (both cores), so a workspace could hold a run's worker for hours with a few requests of them.
    /// Paired by key instead, with the same pairs and differences as before.
    /// </summary>
    [Fact]
    public async Task OrdersOfTenThousandLines_AreComparedInAFewSeconds_WithTheirDifferences()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const int Lines = 10_000;
        // Every SKU differs between the sides (the names agree); and lines without SKUs, named apart, alike in quantity and price.
        object Skus(string side) => Enumerable.Range(0, Lines).Select(i => new { sku = $"{side}-{i}", name = $"Item {i}", quantity = 1, unitPrice = 2m }).ToArray();
        object Named(string side) => Enumerable.Range(0, Lines).Select(i => new { sku = "", name = $"{side} item {i}", quantity = 1 + i % 5, unitPrice = 1m + i % 7 }).ToArray();
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#3001", 20_000m, date: Day).With("lines", Skus("S")),
            Order("S2", "#3002", 10m, date: Day).With("lines", Named("S")),
            StoreAnchor(),
        });
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K1", "Shopify Order #3001", 20_000m, "PAID", date: Day).With("lines", Skus("K")),
            Order("K2", "Shopify Order #3002", 10m, "PAID", date: Day).With("lines", Named("K")),
            KeapAnchor(),
        });

        var timer = System.Diagnostics.Stopwatch.StartNew();
        var run = await ws.Http.RunAsync(Window);
        timer.Stop();

        Assert.True(run.Str("status") == "succeeded", run.GetRawText());
        var finding = Assert.Single(await ws.Http.DiscrepanciesAsync());
        Assert.Equal(("line_items_mismatch", "3001"), (finding.Str("category"), finding.Str("orderKey")));
        var kinds = finding.GetProperty("lineDifferences").EnumerateArray().GroupBy(d => d.Str("kind")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["extra"] = Lines, ["missing"] = Lines }, kinds);
        // 16 s before (the two pairs' 11 s and 5 s); well under a second of engine time now, the rest is the run's own work.
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(5), $"The run took {timer.Elapsed}.");
    }

    /// <summary>A text filter given twice was joined into "a,b", which matches nothing: an empty page that looked like an answer.</summary>
    [Theory]
    [InlineData("/api/v1/sources/store/orders?orderKey=1001&orderKey=1002", "orderKey")]
    [InlineData("/api/v1/sources/store/orders?email=a@example.com&email=b@example.com", "email")]
    [InlineData("/api/v1/discrepancies?orderKey=1001&orderKey=1002", "orderKey")]
    [InlineData("/api/v1/discrepancies?customerEmail=a@example.com&customerEmail=b@example.com", "customerEmail")]
    public async Task ATextFilterGivenTwice_IsA400OnIt_NotAnEmptyPage(string path, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.GetAsync(path);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Is given more than once; send it once.", (await response.Json()).GetProperty("errors").GetProperty(field)[0].GetString());
    }

    /// <summary>
    /// Excel on Windows saves "CSV" in Windows-1252: "Zoë" is then the byte 0xEB, which is no UTF-8. The order was stored with
    /// "Zo\uFFFD" and a 201 that said nothing; it is rejected naming the column and line, as invalid UTF-8 in JSON is, and the rest kept.
    /// </summary>
    [Fact]
    public async Task ACsvThatIsNotUtf8_RejectsTheRowsWithBytesThatAreNotText_AndKeepsTheRest()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = new ByteArrayContent(System.Text.Encoding.Latin1.GetBytes("orderId,total,customerName\nA,1,Zo\u00eb\nB,2,Bob\n"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");

        var response = await ws.Http.PostAsync(StoreOrders, content);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal(("A", "customerName", 2), (error.Str("orderId"), error.Str("field"), error.GetProperty("line").GetInt32()));
        Assert.Contains("not valid text", error.Str("message"));
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/A")).StatusCode);
    }
}
