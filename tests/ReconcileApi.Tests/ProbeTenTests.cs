using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// The tenth probe, as an outside tester: tables joined from two exports.
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
}
