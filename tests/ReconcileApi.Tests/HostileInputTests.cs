using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// Input an attacker or a careless integration sends: each class gets a clear 4xx problem (never a 500),
/// valid orders beside bad ones are kept, and nothing accepted can make a later run fail.
/// </summary>
public sealed class HostileInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    const string StoreOrders = "/api/v1/sources/store/orders";

    [Theory]
    [InlineData("{\"orderId\":\"1\",\"total\":1,}")]
    [InlineData("{\"orders\":[{\"orderId\":\"1\",\"total\":1,\"currency\":\"USD\",},]}")]
    [InlineData("[{\"orderId\":\"1\",\"total\":1,\"currency\":\"USD\" /* a comment */},]")]
    public async Task TrailingCommasAndComments_AreReadLikeTheRestOfTheBody(string json)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody(json));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, (await response.Json()).GetProperty("received").GetInt32());
    }

    [Fact]
    public async Task AJsonBodyWithAByteOrderMark_IsRead()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("[{\"orderId\":\"1\",\"total\":1,\"currency\":\"USD\"}]")).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await ws.Http.PostAsync(StoreOrders, content);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, (await response.Json()).GetProperty("inserted").GetInt32());
    }

    [Theory]
    [InlineData("total", "922337203685477.58")]
    [InlineData("total", "-1000000000000.01")]
    [InlineData("lines[0].quantity", "79000000000000000000000000000")]
    [InlineData("lines[0].quantity", "1000001")]
    [InlineData("lines[0].unitPrice", "1e13")]
    public async Task MoneyAndQuantitiesOutOfRange_RejectThatOrderOnly(string field, string value)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var bad = Order("BAD");
        var number = decimal.Parse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        if (field == "total")
            bad["total"] = value;
        else
            bad["lines"] = new[] { new Dictionary<string, object> { ["sku"] = "S", ["name"] = "N",
                ["quantity"] = field.EndsWith("quantity") ? number : 1m, ["unitPrice"] = field.EndsWith("unitPrice") ? number : 10m } };

        var receipt = await ws.Http.IngestAsync("store", new[] { Order("GOOD"), bad });

        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal("BAD", error.Str("orderId"));
        Assert.Equal(field, error.Str("field"));
    }

    public static TheoryData<string, string, string, string> NumbersBeyondAnyDecimal => new()
    {
        { "application/json", """[{"orderId":"BIG","total":123456789012345678901234567890},{"orderId":"OK","total":1}]""", "total", "Must be between -1,000,000,000,000 and 1,000,000,000,000" },
        { "application/json", """[{"orderId":"BIG","total":"123456789012345678901234567890"},{"orderId":"OK","total":1}]""", "total", "Must be between -1,000,000,000,000 and 1,000,000,000,000" },
        { "application/json", """[{"orderId":"BIG","total":-1e400},{"orderId":"OK","total":1}]""", "total", "Must be between -1,000,000,000,000 and 1,000,000,000,000" },
        { "application/json", """[{"orderId":"BIG","total":1,"subtotal":"$123,456,789,012,345,678,901,234,567,890"},{"orderId":"OK","total":1}]""", "subtotal", "Must be between -1,000,000,000,000 and 1,000,000,000,000" },
        { "application/json", """[{"orderId":"BIG","total":1,"lines":[{"sku":"S","quantity":1e30,"unitPrice":1}]},{"orderId":"OK","total":1}]""", "lines[0].quantity", "Must be between -1,000,000 and 1,000,000" },
        { "text/csv", "orderId,total\nBIG,123456789012345678901234567890\nOK,1\n", "total", "must be between -1,000,000,000,000 and 1,000,000,000,000" },
        { "text/csv", "orderId,total,quantity,unit price\nBIG,1,123456789012345678901234567890,1\nOK,1,1,1\n", "quantity", "must be between -1,000,000 and 1,000,000" },
    };

    [Theory]
    [MemberData(nameof(NumbersBeyondAnyDecimal))]
    public async Task ANumberBeyondWhatADecimalHolds_IsToldItsRange_NotThatItIsNoNumber(string contentType, string body, string field, string message)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody(body, contentType));

        // Rejected, as an amount within a decimal's range but out of bounds is.
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal("BIG", error.Str("orderId"));
        Assert.Equal(field, error.Str("field"));
        Assert.Contains(message, error.Str("message"));
    }

    [Fact]
    public async Task ExtremeAcceptedValues_NeverMakeARunFail()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const decimal Max = 1_000_000_000_000m;
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1", Max, date: Day),
            Order("S2", "#2", -Max, date: Day) ,
            Order("S3", "#3", Max, date: Day).With("lines", new[] { new { sku = "Q", name = "Q", quantity = 1_000_000m, unitPrice = Max } }),
            StoreAnchor(),
        });
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K1", "Shopify Order #1", -Max, "PAID", date: Day),
            Order("K2", "Shopify Order #2", Max, "PAID", date: Day),
            Order("K3", "Shopify Order #3", -Max, "PAID", date: Day).With("lines", new[] { new { sku = "Q", name = "Q", quantity = -1_000_000m, unitPrice = -Max } }),
            KeapAnchor(),
        });

        var run = await ws.Http.RunAsync(Window);

        Assert.True(run.Str("status") == "succeeded", run.GetRawText());
    }

    [Theory]
    [InlineData("[{\"orderId\":\"1\",\"total\":1,\"currency\":\"USD\",\"customerEmail\":\"\\ud800@example.com\"}]")]
    [InlineData("[{\"orderId\":\"\\udc00\",\"total\":1,\"currency\":\"USD\"}]")]
    public async Task ALoneSurrogate_IsAFieldError_AndTheRecordIsKept(string json)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody(json));

        // The batch's only order rejected: a 422 that carries the receipt (the batch is stored all the same).
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("rejected").GetInt32());
        var batch = await (await ws.Http.GetAsync(response.Headers.Location)).Json();
        Assert.Single(batch.GetProperty("rejectedRecords").EnumerateArray());
    }

    [Theory]
    [InlineData("", "[{\"orderId\":\"u2\",\"total\":1,\"customerName\":\"lone \\ud800 x\"}]", "u2", "customerName")]
    [InlineData("?format=woocommerce", "[{\"id\":712,\"total\":\"1\",\"billing\":{\"first_name\":\"\\ud800\"}}]", "712", "billing.first_name")]
    [InlineData("?format=keap", "[{\"id\":\"\\ud800\",\"total\":1}]", null, "orderId")]
    public async Task ALoneSurrogate_IsOneErrorOnItsField_UnderTheOrdersIdWhenThatIsReadable(string query, string json, string? orderId, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders + query, JsonBody(json));

        var error = Assert.Single((await response.Json()).GetProperty("errors").EnumerateArray());
        Assert.Equal(orderId, error.GetProperty("orderId").GetString());
        Assert.Equal(field, error.Str("field"));
        Assert.Contains("not valid text", error.Str("message"));
    }

    [Fact]
    public async Task InvalidUtf8_IsAFieldError_AndTheRecordIsKept()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var bytes = Encoding.UTF8.GetBytes("[{\"orderId\":\"1\",\"total\":1,\"currency\":\"USD\",\"customerEmail\":\"XX@example.com\"},{\"orderId\":\"2\",\"total\":1,\"currency\":\"USD\"}]");
        var at = Array.IndexOf(bytes, (byte)'X');
        (bytes[at], bytes[at + 1]) = (0xC3, 0x28);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await ws.Http.PostAsync(StoreOrders, content);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        Assert.Equal(1, receipt.GetProperty("rejected").GetInt32());
    }

    public static TheoryData<string, string> BrokenMultiparts => new()
    {
        { "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\norderId,total\r\n1,2\r\n--x--\r\n" },
        { "multipart/form-data; boundary=x", "--x\r\nContent-Disposition form-data name=file\r\n\r\n1\r\n--x--\r\n" },
        { "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\norderId,total\r\n1," },
        { "multipart/form-data; boundary=" + new string('b', 200), "--" + new string('b', 200) + "\r\n\r\n" },
        { "multipart/form-data; boundary=x", string.Concat(Enumerable.Repeat("--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n", 1100)) + "--x--\r\n" },
    };

    [Theory]
    [MemberData(nameof(BrokenMultiparts))]
    public async Task ABrokenMultipartBody_IsA400NamingTheProblem(string contentType, string body)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await ws.Http.PostAsync(StoreOrders, content);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "form upload");
    }

    [Theory]
    [InlineData("{\"total\": null}")]
    [InlineData("{\"total\": 5}")]
    [InlineData("[1,2]")]
    public async Task AColumnMapThatIsNotFieldToHeaderText_IsA400(string map)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync($"{StoreOrders}?columnMap={Uri.EscapeDataString(map)}", JsonBody("orderId,total\n1,2\n", "text/csv"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "columnMap");
    }

    [Theory]
    [InlineData("{\"action\":\"ignore\",\"resolvedBy\":\"a@example.com\"}")]
    [InlineData("{\"ids\":null,\"action\":\"ignore\",\"resolvedBy\":\"a@example.com\"}")]
    public async Task BulkResolutionWithoutIds_IsAValidationProblem(string json)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync("/api/v1/discrepancies/resolutions", JsonBody(json));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("ids", out _));
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-05T00:00:00Z", "from")]
    [InlineData("2026-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "to")]
    [InlineData(null, "9999-12-31T23:59:59", "to")]
    public async Task ARunWindowAtTheCalendarsEdges_IsAFieldError(string? from, string to, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { from, to });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string?, string, string, string, string> DatesBeyondTheCalendarInTheirZone => new()
    {
        { null, "?timezone=Pacific/Kiritimati", "application/json",
            """[{"orderId":"tz1","total":1,"orderDate":"0001-01-01"},{"orderId":"ok","total":1,"orderDate":"2026-11-20T00:00:00Z"}]""", "orderDate" },
        { null, "?timezone=America/New_York", "application/json",
            """[{"orderId":"tz1","total":1,"orderDate":"9999-12-31T23:00:00"},{"orderId":"ok","total":1,"orderDate":"2026-11-20T00:00:00Z"}]""", "orderDate" },
        { "Pacific/Kiritimati", "", "application/json",
            """[{"orderId":"tz1","total":1,"orderDate":"0001-01-01"},{"orderId":"ok","total":1,"orderDate":"2026-11-20T00:00:00Z"}]""", "orderDate" },
        { null, "?timezone=Pacific/Kiritimati", "application/json",
            """[{"orderId":"tz1","total":1,"orderDate":"0001-01-01T00:00:00+05:00"},{"orderId":"ok","total":1,"orderDate":"2026-11-20T00:00:00Z"}]""", "orderDate" },
        { null, "?format=keap&timezone=Pacific/Kiritimati", "application/json",
            """[{"id":"tz1","total":1,"order_date":"0001-01-01"},{"id":"ok","total":1,"order_date":"2026-11-20T00:00:00Z"}]""", "order_date" },
        { null, "?format=woocommerce&timezone=Pacific/Kiritimati", "application/json",
            """[{"id":"tz1","total":"1","date_created":"0001-01-01T00:00:00"},{"id":"ok","total":"1","date_created":"2026-11-20T00:00:00"}]""", "date_created" },
        { null, "?timezone=Pacific/Kiritimati", "text/csv", "orderId,total,orderDate\ntz1,1,0001-01-01\nok,1,2026-11-20T00:00:00Z\n", "orderDate" },
    };

    [Theory]
    [MemberData(nameof(DatesBeyondTheCalendarInTheirZone))]
    public async Task ADateThatFallsOffTheCalendarInItsZone_RejectsThatOrderOnly(string? workspaceZone, string query, string contentType, string body, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync(workspaceZone);

        var response = await ws.Http.PostAsync(StoreOrders + query, JsonBody(body, contentType));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal("tz1", error.Str("orderId"));
        Assert.Equal(field, error.Str("field"));
        Assert.Contains("out of the supported range", error.Str("message"));
    }

    [Theory]
    [InlineData("0:9223372036854775807:0:0:0")]
    [InlineData("0:-1:0:0:0")]
    [InlineData("2:0:99999999999:0:0")]
    [InlineData("1:0:0:-9223372036854775808:0")]
    [InlineData("9:0:0:0:0")]
    [InlineData("0:0:0:1")]
    public async Task ATamperedCursor_IsA400(string raw)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var cursor = System.Buffers.Text.Base64Url.EncodeToString(Encoding.ASCII.GetBytes(raw));

        foreach (var sort in new[] { "-detectedAt", "-impact", "severity" })
        {
            var response = await ws.Http.GetAsync($"/api/v1/discrepancies?sort={sort}&cursor={cursor}");
            await response.AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.Contains("cursor", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task ABacktrackingKeyPattern_CannotStallARun()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // Catastrophic for a backtracking engine on "aaa…ab": 2^40 steps, or the 100 ms match timeout per order.
        (await ws.Http.PutAsJsonAsync("/api/v1/settings", new { keapKeyPattern = "^(a+)+$" })).EnsureSuccessStatusCode();
        var evil = new string('a', 40) + "b";
        await ws.Http.IngestAsync("keap", Enumerable.Range(0, 1000).Select(i => Order($"K{i}", evil, 10m, "PAID", date: Day)).ToArray());
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1", 10m, date: Day) });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await ws.Http.RunAsync(Window);

        Assert.True(run.Str("status") == "succeeded", run.GetRawText());
        // With backtracking (and its timeout) this run took over 100 s; without, well under a second of matching.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The run took {clock.Elapsed}.");
    }

    [Theory]
    [InlineData("(?<=#)(\\d+)")]
    [InlineData("(\\d)\\1")]
    public async Task AKeyPatternThatCannotRunInLinearTime_IsRefused(string pattern)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PutAsJsonAsync("/api/v1/settings", new { storeKeyPattern = pattern });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("linear time", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AWorkbookThatExpandsPastTheLimit_IsRefusedBeforeItIsExpanded()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // 300 MB of zeros deflate to about 300 KB: the archive's directory tells the expanded size up front.
        using var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = archive.CreateEntry("xl/sharedStrings.xml", System.IO.Compression.CompressionLevel.Fastest).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 300; i++)
                await entry.WriteAsync(zeros);
        }
        var content = new ByteArrayContent(zip.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(ReconcileApi.Features.Orders.IngestRequest.Xlsx);

        var response = await ws.Http.PostAsync(StoreOrders, content);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "expands to");
    }

    [Fact]
    public async Task AWorkbookCellLongerThanExcelAllows_IsA400NamingIt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var workbook = Workbooks.Xlsx(new Dictionary<string, object> { ["orderId"] = "1", ["total"] = 1, ["note"] = new string('x', 40_000) });
        var content = new ByteArrayContent(workbook);
        content.Headers.ContentType = new MediaTypeHeaderValue(ReconcileApi.Features.Orders.IngestRequest.Xlsx);

        var response = await ws.Http.PostAsync(StoreOrders, content);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "line 2, column 3");
    }

    [Fact]
    public async Task ATableWithMoreRowsThanTheLimit_IsRefusedWithoutReadingTheRest()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var csv = "orderId,total\n" + string.Concat(Enumerable.Range(0, 250_001).Select(i => $"{i},1\n"));

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody(csv, "text/csv"));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "more than 250000 rows");
    }

    [Fact]
    public async Task ATableWiderThanTheColumnLimit_IsA400NamingTheLimitAndTheCount()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var header = string.Join(",", ["orderId", "total", "orderDate", .. Enumerable.Range(0, 5_000).Select(i => $"c{i}")]);

        var response = await ws.Http.PostAsync(StoreOrders + "?format=csv", JsonBody(header + "\nW1,10.00,2026-10-01\n", "text/csv"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "5,003 columns");
        Assert.Contains("at most 1,024", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/W1")).StatusCode);
    }

    public static TheoryData<string, string> UnreadableIds => new()
    {
        { "application/json", """[{"orderId":"U\u0000NUL","total":1},{"orderId":".","total":1},{"orderId":"..","total":1},{"orderId":" U-SP ","total":1},{"orderId":"OK-1","total":1,"customerEmail":"a\u0000@example.com"},{"orderId":"OK-2","total":1,"orderNumber":"#1\u00012"},{"orderId":"OK-3","total":1}]""" },
        { "text/csv", "orderId,total,customerEmail,orderNumber\n\"U\u0000NUL\",1,,\n.,1,,\n..,1,,\n\" U-SP \",1,,\nOK-1,1,a\u0000@example.com,\nOK-2,1,,#1\u00012\nOK-3,1,,\n" },
    };

    [Theory]
    [MemberData(nameof(UnreadableIds))]
    public async Task AnIdAUrlCannotNameBack_OrControlCharactersInText_RejectThatOrderOnly_AndATrimmedIdIsFoundAsSent(string contentType, string body)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var receipt = await (await ws.Http.PostAsync(StoreOrders, JsonBody(body, contentType))).Json();

        Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
        var errors = receipt.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.Str("field"))).ToList();
        Assert.Equal([(0, "orderId"), (1, "orderId"), (2, "orderId"), (4, "customerEmail"), (5, "orderNumber")], errors);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync(StoreOrders + "/%20U-SP%20")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync(StoreOrders + "/OK-3")).StatusCode);
    }

    [Theory]
    [InlineData("application/json", "[{\"orderId\":\"L1\",\"total\":1,\"customerName\":\"NAME\"},{\"orderId\":\"L2\",\"total\":1,\"lines\":[{\"sku\":\"SKU\",\"quantity\":1,\"unitPrice\":1}]},{\"orderId\":\"L3\",\"total\":1}]")]
    [InlineData("text/csv", "orderId,total,customerName,sku,quantity,unitPrice\nL1,1,NAME,,,\nL2,1,,SKU,1,1\nL3,1,,,,\n")]
    public async Task TextLongerThanKept_RejectsThatOrderOnly_NamingTheFieldItsLengthAndTheLimit(string contentType, string template)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = template.Replace("NAME", new string('n', 1_001)).Replace("SKU", new string('s', 256));

        var receipt = await (await ws.Http.PostAsync(StoreOrders, JsonBody(body, contentType))).Json();

        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var errors = receipt.GetProperty("errors").EnumerateArray().Select(e => (e.Str("orderId"), e.Str("field"), e.Str("message"))).ToList();
        Assert.Equal([("L1", "customerName", "Holds 1,001 characters; at most 1,000 are kept."), ("L2", "lines[0].sku", "Holds 256 characters; at most 255 are kept.")], errors);
    }
}
