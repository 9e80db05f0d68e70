using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// Requests a probe found answered wrongly: a fault in what was sent is a problem that says what and where (an
/// <c>errors</c> entry by field), never silently ignored, never the framework's text.
/// </summary>
public sealed class RequestFaultTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    const string StoreOrders = "/api/v1/sources/store/orders";
    static readonly string[] FrameworkText = ["LineNumber", "BytePositionInLine", "isFinalBlock", "another component", "System."];

    static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        await response.AssertProblemAsync(status);
        var problem = await response.Json();
        Assert.True(problem.TryGetProperty("errors", out var errors), problem.ToString());
        return errors.GetProperty(field)[0];
    }

    static async Task AssertNoFrameworkTextAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        foreach (var text in FrameworkText)
            Assert.DoesNotContain(text, body);
    }

    static string OrderJson(string id) => $$"""{"orderId": "{{id}}", "total": 10, "currency": "USD", "orderDate": "2026-11-10T12:00:00Z"}""";

    [Theory]
    [InlineData("/api/v1/runs", """{"idempotencyKey": 12345}""")]
    [InlineData("/api/v1/runs", """{"idempotencyKey": {"k": 1}}""")]
    [InlineData(StoreOrders, """{"idempotencyKey": 5, "orders": [{"orderId": "K", "total": 1}]}""")]
    public async Task AnIdempotencyKeyInTheBodyThatIsNotAString_Is400OnIt_AndNothingRuns(string path, string body)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var first = await ws.Http.PostAsync(path, JsonBody(body));
        var second = await ws.Http.PostAsync(path, JsonBody(body));

        Assert.StartsWith("Must be a string", (await ErrorAsync(first, HttpStatusCode.BadRequest, "idempotencyKey")).GetString());
        Assert.StartsWith("Must be a string", (await ErrorAsync(second, HttpStatusCode.BadRequest, "idempotencyKey")).GetString());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/K")).StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/runs", """{"idempotencyKey": "\ud801"}""")]
    [InlineData("/api/v1/runs", """{"label": "a", "idempotencyKey": "zap-\udc00-1"}""")]
    [InlineData(StoreOrders, """{"idempotencyKey": "\ud801", "orders": [{"orderId": "K", "total": 1}]}""")]
    public async Task AnIdempotencyKeyInTheBodyThatIsNotValidText_Is400OnIt_AndNothingRuns(string path, string body)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var first = await ws.Http.PostAsync(path, JsonBody(body));
        var second = await ws.Http.PostAsync(path, JsonBody(body));

        Assert.StartsWith("Is not valid text", (await ErrorAsync(first, HttpStatusCode.BadRequest, "idempotencyKey")).GetString());
        Assert.StartsWith("Is not valid text", (await ErrorAsync(second, HttpStatusCode.BadRequest, "idempotencyKey")).GetString());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/K")).StatusCode);
    }

    static ByteArrayContent Csv(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }

    [Fact]
    public async Task AFormUploadWithTwoFiles_Is400OnFile_AndStoresNeither()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var form = new MultipartFormDataContent
        {
            { Csv("orderId,total\nF-1,1\n"), "file", "a.csv" },
            { Csv("orderId,total\nF-2,2\n"), "file", "b.csv" },
        };

        var response = await ws.Http.PostAsync(StoreOrders, form);

        Assert.Contains("one file per request", (await ErrorAsync(response, HttpStatusCode.BadRequest, "file")).GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/F-1")).StatusCode);
    }

    [Theory]
    [InlineData("upload", true)]
    [InlineData("note", false)]
    public async Task AFormFieldBesideFile_Is400NamingIt(string name, bool isFile)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var form = new MultipartFormDataContent { { Csv("orderId,total\nG-1,1\n"), "file", "a.csv" } };
        if (isFile)
            form.Add(Csv("orderId,total\nG-2,2\n"), name, "b.csv");
        else
            form.Add(new StringContent("hello"), name);

        var response = await ws.Http.PostAsync(StoreOrders, form);

        Assert.Contains("`file`", (await ErrorAsync(response, HttpStatusCode.BadRequest, name)).GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/G-1")).StatusCode);
    }

    [Theory]
    [InlineData(StoreOrders, "gzip")]
    [InlineData(StoreOrders, "br")]
    [InlineData("/api/v1/runs", "gzip")]
    [InlineData("/api/v1/settings", "deflate")]
    public async Task ACompressedBody_Is415SayingToSendItUncompressed(string path, string coding)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var json = path == StoreOrders ? $"[{OrderJson("Z")}]" : "{}";
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(json));
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(coding);

        var response = await ws.Http.SendAsync(new HttpRequestMessage(path.EndsWith("settings") ? HttpMethod.Put : HttpMethod.Post, path) { Content = content });

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "uncompressed");
        Assert.Contains(coding, (await response.Json()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnIdentityContentCoding_IsRead()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = JsonBody($"[{OrderJson("I")}]");
        content.Headers.ContentEncoding.Add("identity");
        Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsync(StoreOrders, content)).StatusCode);
    }

    [Fact]
    public async Task MalformedJson_SaysWhereOnce_InPlainWords()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync(StoreOrders, JsonBody("""[{"orderId":"a1","total":1,}"""));

        // The body's 28 characters end with the array still open: the reader stops just past them.
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "Malformed JSON at line 1, position 29: ");
        await AssertNoFrameworkTextAsync(response);
        var problem = await response.Json();
        Assert.Equal(1, problem.GetProperty("line").GetInt32());
        Assert.Equal(29, problem.GetProperty("position").GetInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    public async Task AnEmptyIngestBody_SaysTheBodyIsEmpty(string body)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync(StoreOrders, JsonBody(body));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "The body is empty: send");
        await AssertNoFrameworkTextAsync(response);
    }

    [Fact]
    public async Task ACutShortMultipartBody_SaysSo_WithoutTheFrameworkText()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = new StringContent("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\norderId,total\r\n1,");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");

        var response = await ws.Http.PostAsync(StoreOrders, content);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "The multipart body is incomplete or malformed.");
        await AssertNoFrameworkTextAsync(response);
    }

    [Theory]
    [InlineData("/api/v1/runs", "POST", """{"from": "2026-11-01", "from": "2026-11-02"}""", "from")]
    [InlineData("/api/v1/settings", "PUT", """{"amountTolerance": 1, "severityThresholds": {"high": 5, "high": 6}}""", "severityThresholds.high")]
    [InlineData("/api/v1/schedules", "POST", """{"name": "n", "cron": "0 6 * * *", "alerts": [{"rule": "impact_above", "threshold": 1, "threshold": 2}]}""", "alerts[0].threshold")]
    public async Task APropertyTwiceInOurOwnBodies_Is400NamingIt(string path, string method, string body, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonBody(body) });

        Assert.StartsWith("Appears more than once", (await ErrorAsync(response, HttpStatusCode.BadRequest, field)).GetString());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("version").GetInt32());
    }

    [Theory]
    [InlineData("""{"orderId": "dup1", "orderId": "dup2", "total": 1, "total": 2, "currency": "USD"}""", "orderId", "canonical")]
    [InlineData("""{"orderId": "dup1", "total": 1, "currency": "USD", "note": "a", "note": "b"}""", "note", "canonical")]
    [InlineData("""{"orderId": "dup1", "total": 1, "extra": {"a": 1, "a": 2}}""", "extra.a", "canonical")]
    [InlineData("""{"orderId": "dup1", "total": 1, "lines": [{"kind": "product", "quantity": 1, "unitPrice": 1, "sku": "a", "sku": "b"}]}""", "lines[0].sku", "canonical")]
    [InlineData("""{"id": 1, "name": "#1", "name": "#2", "total_price": "1.00", "currency": "USD", "created_at": "2026-11-10T12:00:00Z", "line_items": []}""", "name", "shopify")]
    public async Task AnOrderWithAPropertyTwice_IsRejectedNamingIt_AndTheOthersAreKept(string order, string field, string format)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var good = format == "canonical" ? OrderJson("kept")
            : """{"id": 2, "name": "#kept", "total_price": "1.00", "currency": "USD", "created_at": "2026-11-10T12:00:00Z", "line_items": []}""";

        var response = await ws.Http.PostAsync($"{StoreOrders}?format={format}", JsonBody($"[{order}, {good}]"));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        var error = Assert.Single(receipt.GetProperty("errors").EnumerateArray());
        Assert.Equal(0, error.GetProperty("index").GetInt32());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(format == "canonical" ? "dup1" : "1", error.GetProperty("orderId").GetString());
        Assert.Contains("more than once", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/dup2")).StatusCode);
    }

    [Fact]
    public async Task AWrapperPropertyTwice_Is400NamingIt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync(StoreOrders, JsonBody($$"""{"orders": [{{OrderJson("W1")}}], "orders": [{{OrderJson("W2")}}]}"""));
        Assert.StartsWith("Appears more than once", (await ErrorAsync(response, HttpStatusCode.BadRequest, "orders")).GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/W1")).StatusCode);
    }

    [Theory]
    [InlineData("""{"statusMap": {"store": "x"}}""", "statusMap.store", "Must be a JSON object.")]
    [InlineData("""{"statusMap": []}""", "statusMap", "Must be a JSON object.")]
    [InlineData("""{"statusMap": {"mars": {}}}""", "statusMap.mars", "Unknown property; expected one of: store, keap.")]
    public async Task AMapSettingOfTheWrongShape_SaysItMustBeAnObject_AndNamesAnUnknownKey(string body, string field, string message)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PutAsync("/api/v1/settings", JsonBody(body));
        Assert.Equal(message, (await ErrorAsync(response, HttpStatusCode.BadRequest, field)).GetString());
    }

    [Theory]
    [InlineData("format=zzz", "format")]
    [InlineData("timezone=Nowhere/City", "timezone")]
    [InlineData("dateOrder=x", "dateOrder")]
    [InlineData("columnMap=garbage", "columnMap")]
    public async Task AnIngestQueryParameterThatDoesNotRead_Is400WithErrorsOnIt(string query, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync($"{StoreOrders}?{query}", JsonBody($"[{OrderJson("Q")}]"));
        Assert.StartsWith("Must be", (await ErrorAsync(response, HttpStatusCode.BadRequest, field)).GetString());
        Assert.Contains(field, (await response.Json()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(StoreOrders, "application/json; charset=latin1")]
    [InlineData(StoreOrders, "application/json; charset=utf-16")]
    [InlineData(StoreOrders, "text/csv; charset=windows-1252")]
    [InlineData("/api/v1/runs", "application/json; charset=iso-8859-1")]
    public async Task ABodyDeclaredInAnotherCharset_Is415SayingToSendUtf8(string path, string contentType)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = contentType.StartsWith("text/csv") ? "orderId,total\nC,1\n" : path == StoreOrders ? $"[{OrderJson("C")}]" : "{}";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await ws.Http.PostAsync(path, content);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UTF-8");
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(StoreOrders + "/C")).StatusCode);
    }

    [Fact]
    public async Task AnUploadedFileDeclaredInAnotherCharset_Is415()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var file = new ByteArrayContent(Encoding.Latin1.GetBytes("orderId,total,customerName\nC,1,Jos\u00e9\n"));
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=iso-8859-1");
        using var form = new MultipartFormDataContent { { file, "file", "a.csv" } };

        await (await ws.Http.PostAsync(StoreOrders, form)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UTF-8");
    }

    [Theory]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=\"us-ascii\"")]
    public async Task ABodyDeclaredUtf8OrAscii_IsRead(string contentType)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes($"[{OrderJson("U")}]"));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsync(StoreOrders, content)).StatusCode);
    }
}
