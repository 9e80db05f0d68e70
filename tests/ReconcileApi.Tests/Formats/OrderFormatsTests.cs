using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Tests.Formats;

public sealed class OrderFormatsTests
{
    [Fact]
    public void Registry_ListsEveryFormatByItsName_CaseInsensitively()
    {
        Assert.Equal(["canonical", "shopify", "shopify-graphql", "woocommerce", "bigcommerce", "keap"], OrderFormats.Json.Keys);
        Assert.Equal(["csv", "shopify-csv", "keap-csv"], OrderFormats.Tables.Keys);
        Assert.IsType<ShopifyFormat>(OrderFormats.Json["Shopify"]);
        Assert.IsType<KeapCsvFormat>(OrderFormats.Tables["KEAP-CSV"]);
        Assert.All(OrderFormats.Json, f => Assert.Equal(f.Key, f.Value.Name));
        Assert.All(OrderFormats.Tables, f => Assert.Equal(f.Key, f.Value.Name));
    }

    [Fact]
    public void Registry_WrapsShopifyAndKeapInOrderAndOrders()
    {
        Assert.Equal(["orders", "order"], OrderFormats.Json["shopify"].WrapperProperties);
        Assert.Equal(["orders", "order"], OrderFormats.Json["keap"].WrapperProperties);
        Assert.Equal(["orders"], OrderFormats.Json["woocommerce"].WrapperProperties);
    }

    [Fact]
    public void DetectTable_RecognisesShopifysExport()
    {
        var header = Fixture.Csv(Fixture.Text("shopify-orders-export.csv")).Header;
        Assert.Equal("shopify-csv", OrderFormats.DetectTable(header));
        Assert.Equal("shopify-csv", OrderFormats.DetectTable(["\uFEFFName", "lineitem_name", "Total"]));
    }

    [Fact]
    public void DetectTable_RecognisesKeapReports()
    {
        Assert.Equal("keap-csv", OrderFormats.DetectTable(Fixture.Csv(Fixture.Text("keap-orders-report.csv")).Header));
        Assert.Equal("keap-csv", OrderFormats.DetectTable(["Id", "Pay Status"]));
        Assert.Equal("keap-csv", OrderFormats.DetectTable(["Order Id", "Order Total", "Contact Id"]));
    }

    [Theory]
    [InlineData("Order Id,Order Total,Email")]
    [InlineData("id,total,name")]
    [InlineData("Name,Total,Lineitem sku")]
    public void DetectTable_FallsBackToGenericCsv(string header) =>
        Assert.Equal("csv", OrderFormats.DetectTable(header.Split(',')));

    [Fact]
    public void DetectTable_SaysNothing_ForAnEmptyHeader() =>
        Assert.Null(OrderFormats.DetectTable(["", " "]));
}
