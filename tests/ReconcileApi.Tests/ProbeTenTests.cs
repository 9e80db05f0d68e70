using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// The tenth probe, as an outside tester: tables joined from two exports, amounts a spreadsheet wrote in scientific notation, and ids of the wrong form in a path.
/// </summary>
public sealed class ProbeTenTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    const string StoreOrders = "/api/v1/sources/store/orders";

    /// <summary>
    /// Two CSV exports joined into one file (cat, a paste under the first) repeat the header mid-file: the repeat was read as an
    /// order whose id is "order_id", rejected because its total "total" is no number and its date "order_date" no date — true,
    /// and no help to whoever joined the files. It is skipped, counted in <c>skipped</c>, with a warning naming its line; the
    /// orders on both sides of it are stored.
    /// </summary>
    [Theory]
    [InlineData("order_id,total,order_date\nA,10.00,2026-11-01\norder_id,total,order_date\nB,11.00,2026-11-02\n")]
    [InlineData("order_id,total,order_date\r\nA,10.00,2026-11-01\r\n ORDER_ID , Total,order_date\r\nB,11.00,2026-11-02\r\n")]
    public async Task AHeaderRepeatedMidFile_IsSkippedWithAWarningOnItsLine_AndTheOrdersAroundItAreStored(string csv)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var response = await ws.Http.PostAsync(StoreOrders, content);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Json();
        Assert.Equal((3, 2, 0, 1), (receipt.GetProperty("received").GetInt32(), receipt.GetProperty("inserted").GetInt32(),
            receipt.GetProperty("rejected").GetInt32(), receipt.GetProperty("skipped").GetInt32()));
        Assert.Empty(receipt.GetProperty("errors").EnumerateArray());
        var warning = Assert.Single(receipt.GetProperty("warnings").EnumerateArray());
        Assert.Equal(3, warning.GetProperty("line").GetInt32());
        Assert.Contains("Line 3 repeats the header row", warning.Str("message"));
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync(StoreOrders + "/B")).StatusCode);
    }

    /// <summary>A row that only shares the header's first name is an order like any other (here one rejected for its total).</summary>
    [Fact]
    public async Task ARowSharingOnlyTheHeadersFirstName_IsReadAsAnOrder()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("order_id,total,order_date\norder_id,total,2026-11-01\n"));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var receipt = await (await ws.Http.PostAsync(StoreOrders, content)).Json();

        Assert.Equal((1, 0), (receipt.GetProperty("rejected").GetInt32(), receipt.GetProperty("skipped").GetInt32()));
        Assert.Equal("total", Assert.Single(receipt.GetProperty("errors").EnumerateArray()).Str("field"));
    }

    /// <summary>
    /// Excel shows a number too long for its column as 1.23457E+11 and saves that display to CSV, its digits rounded away; the
    /// order was rejected with "'1.23457E+11' is not a number" (or, in JSON, "must be a numeric string"), which it plainly is.
    /// It stays refused — read, it would be a rounded amount, not the order's — and the error says why and what to do. A JSON
    /// number with an exponent is exact and read, as before.
    /// </summary>
    [Fact]
    public async Task AnAmountInScientificNotationAsText_IsRejectedSayingWhy_AndAJsonNumberWithAnExponentIsRead()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("order_id,total,order_date\nA,1.23457E+11,2026-11-01\nB,12.50,2026-11-01\n"));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var csv = await (await ws.Http.PostAsync(StoreOrders, content)).Json();

        Assert.Equal(1, csv.GetProperty("inserted").GetInt32());
        var error = Assert.Single(csv.GetProperty("errors").EnumerateArray());
        Assert.Equal(("A", "total"), (error.Str("orderId"), error.Str("field")));
        Assert.Contains("scientific notation", error.Str("message"));

        var json = new StringContent("""[{"orderId":"C","total":"1E+2","orderDate":"2026-11-01T00:00:00Z"},{"orderId":"D","total":1E+2,"orderDate":"2026-11-01T00:00:00Z"}]""",
            Encoding.UTF8, "application/json");
        var receipt = await (await ws.Http.PostAsync(StoreOrders, json)).Json();

        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
        Assert.Contains("scientific notation", Assert.Single(receipt.GetProperty("errors").EnumerateArray()).Str("message"));
        var stored = await (await ws.Http.GetAsync(StoreOrders + "/D")).Json();
        Assert.Equal(100m, stored.GetProperty("order").GetProperty("total").GetDecimal());
    }

    /// <summary>
    /// A Make or Zapier step that maps an order number where a run id goes (<c>/runs/1001</c>) got "No endpoint matches GET
    /// /api/v1/runs/1001; see /swagger": the operation exists, and its id was of the wrong form. The 404 names the parameter,
    /// the operation and the form it takes; a path that names no operation is answered as before.
    /// </summary>
    [Theory]
    [InlineData("GET", "/api/v1/runs/1001", "'1001' cannot be the {id} of GET /api/v1/runs/{id}: it is a GUID")]
    [InlineData("POST", "/api/v1/runs/1001/cancel", "'1001' cannot be the {id} of POST /api/v1/runs/{id}/cancel: it is a GUID")]
    [InlineData("GET", "/api/v1/discrepancies/D-12", "'D-12' cannot be the {id} of GET /api/v1/discrepancies/{id}: it is a whole number")]
    [InlineData("POST", "/api/v1/webhooks/01a23b8c-1061-7f6f-b18e-a9de4df7da02/deliveries/x/redeliver",
        "'x' cannot be the {deliveryId} of POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver: it is a GUID")]
    [InlineData("GET", "/api/v1/runz/1001", "No endpoint matches")]
    public async Task AnIdOfTheWrongFormInAPath_Is404NamingTheParameterAndItsForm(string method, string path, string detail)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.AssertProblemAsync(HttpStatusCode.NotFound, detail);
    }
}
