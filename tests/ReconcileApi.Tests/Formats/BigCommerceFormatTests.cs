using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

public sealed class BigCommerceFormatTests
{
    static readonly BigCommerceFormat Format = new();
    static readonly System.Text.Json.JsonElement[] Orders = JsonOrders("bigcommerce-orders.json");

    [Fact]
    public void Read_MapsAV2Order()
    {
        var read = Format.Read(Orders[0], In("America/Chicago"));
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("108000", o.OrderId);
        Assert.Equal("108000", o.OrderNumber);
        Assert.Equal("Awaiting Fulfillment", o.Status);
        Assert.Equal(At(2018, 3, 3, 2, 35, 28), o.OrderDate);
        Assert.Equal(At(2018, 3, 3, 3, 57, 46), o.UpdatedAt);
        Assert.Equal("USD", o.Currency);
        Assert.Equal(51.75m, o.Total);
        Assert.Equal(35.63m, o.Subtotal);
        Assert.Equal(3.40m, o.Tax);
        // Net of tax, like the subtotal: the shipping's 0.90 tax is in total_tax.
        Assert.Equal(12.72m, o.Shipping);
        Assert.Equal(0m, o.Discount);
        Assert.Equal(0m, o.AmountRefunded);
        Assert.Equal(51.75m, o.AmountPaid);
        Assert.Equal("janedoe@email.com", o.CustomerEmail);
        Assert.Equal("Jane Doe", o.CustomerName);
        Assert.Equal("ch_1CBeqd2eZvKYlo2C", o.PaymentReference);
    }

    [Fact]
    public void Read_GivesNoLines_WhenProductsIsAResourceReference()
    {
        Assert.Empty(Format.Read(Orders[0], Utc).Order.Lines);
    }

    [Fact]
    public void Read_GivesProductLinesNetOfTax_WithTheirTax_WhenProductsIsAnArray()
    {
        var order = Format.Read(Orders[1], Utc).Order;
        var lines = order.Lines;
        Assert.Equal(2, lines.Count);
        Assert.Equal(new OrderLine("MUG-1", "77", "BigCommerce Coffee Mug", 2, 45m, 90m, LineKind.Product) { Tax = 10m }, lines[0]);
        Assert.False(order.TaxesIncluded);
        Assert.Equal("bigcommerce", order.Platform);
        Assert.Null(lines[1].Sku);
        Assert.Equal(0m, lines[1].UnitPrice);
    }

    [Fact]
    public void Read_NamesTheStatusFromStatusId_WhenTheTextIsMissing()
    {
        var o = Format.Read(Orders[1], Utc).Order;
        Assert.Equal("Partially Refunded", o.Status);
        Assert.Equal(95m, o.AmountPaid);
        Assert.Equal(25.50m, o.AmountRefunded);
    }

    [Theory]
    [InlineData(0, "Incomplete")]
    [InlineData(5, "Cancelled")]
    [InlineData(6, "Declined")]
    [InlineData(11, "Awaiting Fulfillment")]
    [InlineData(12, "Manual Verification Required")]
    public void StatusNames_FollowBigCommercesFixedIds(int id, string name) =>
        Assert.Equal(name, BigCommerceFormat.StatusNames[id]);

    [Fact]
    public void Read_ReadsRfc2822DatesWithTheirOffset()
    {
        var o = Format.Read(Orders[1], In("Asia/Tokyo")).Order;
        Assert.Equal(At(2026, 10, 6, 19, 5), o.OrderDate);
    }

    [Fact]
    public void Read_AddsCouponToManualDiscount_AndUppercasesCurrency()
    {
        var o = Format.Read(Orders[1], Utc).Order;
        Assert.Equal(5m, o.Discount);
        Assert.Equal("CAD", o.Currency);
    }

    [Fact]
    public void Read_RejectsAnUnreadableOrderDate_AndWarnsOfOtherBadFieldsWithTheirPaths()
    {
        var read = Format.Read(Orders[2], Utc);
        Assert.Equal(["date_created"], read.Problems.Errors.Select(e => e.Field));
        Assert.Equal(["status_id", "products[0].quantity"], read.Problems.Warnings.Select(e => e.Field));
        Assert.Null(read.Order.Status);
        // A line that cannot be read leaves the order without lines: none is guessed.
        Assert.Empty(read.Order.Lines);
    }

    [Fact]
    public void Read_SaysUnpaid_ForAwaitingPayment()
    {
        var o = Format.Read(Json("""{"id": 1, "status_id": 7, "total_inc_tax": "10.0000"}"""), Utc).Order;
        Assert.Equal("Awaiting Payment", o.Status);
        Assert.Equal(0m, o.AmountPaid);
    }
}
