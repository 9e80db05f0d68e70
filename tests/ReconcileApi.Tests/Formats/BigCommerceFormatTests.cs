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

    const string HandlingAndWrapping = """
        "id": 301, "status_id": 11, "total_inc_tax": "71.0000", "date_created": "Mon, 05 Oct 2026 10:00:00 +0000",
        "handling_cost_ex_tax": "4.0000", "handling_cost_inc_tax": "4.8000", "wrapping_cost_ex_tax": "3.0000", "wrapping_cost_inc_tax": "3.0000"
        """;

    [Fact]
    public void Read_GivesHandlingAndGiftWrapping_AsFeeLinesBesideTheProducts()
    {
        var o = Format.Read(Json("{" + HandlingAndWrapping + """, "products": [{"sku": "BOX", "name": "Gift Box Set", "quantity": 1, "price_ex_tax": "50.0000", "price_inc_tax": "54.0000"}]}"""), Utc).Order;

        var fees = o.Lines.Where(l => l.Kind == LineKind.Fee).ToList();
        Assert.Equal(new OrderLine(null, null, "Handling", 1, 4m, 4m, LineKind.Fee) { Tax = 0.8m }, fees[0]);
        Assert.Equal(new OrderLine(null, null, "Gift wrapping", 1, 3m, 3m, LineKind.Fee) { Tax = 0m }, fees[1]);
    }

    [Fact]
    public void Read_GivesNoFeeLines_WithoutTheProducts()
    {
        var o = Format.Read(Json("{" + HandlingAndWrapping + """, "products": {"url": "https://api.bigcommerce.com/stores/x/v2/orders/301/products", "resource": "/orders/301/products"}}"""), Utc).Order;
        Assert.Empty(o.Lines);
    }

    [Theory]
    [InlineData(11, "authorized", 71)] // Awaiting Fulfillment: "payment has been confirmed"
    [InlineData(7, "authorized", 0)] // Awaiting Payment
    [InlineData(11, "capture pending", 71)] // approved, its capture under way
    [InlineData(7, "capture pending", 0)]
    public void Read_TakesAnAuthorizedPayment_AsTheStatusSaysIt(int statusId, string paymentStatus, decimal paid)
    {
        var o = Format.Read(Json($$"""{"id": 304, "status_id": {{statusId}}, "payment_status": "{{paymentStatus}}", "total_inc_tax": "71.0000"}"""), Utc).Order;
        Assert.Equal(paid, o.AmountPaid);
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
    public void Read_GivesCustomFees_AsFeeLinesBesideTheProducts_WithEitherNameOfTheNetCost()
    {
        var o = Format.Read(Json("""
            {"id": 401, "status_id": 11, "total_inc_tax": "48.5000", "date_created": "Tue, 06 Oct 2026 15:10:00 +0000",
             "products": [{"sku": "VASE-CER", "name": "Ceramic Vase", "quantity": 1, "price_ex_tax": "40.0000", "price_inc_tax": "40.0000"}],
             "fees": [{"id": 1, "type": "custom_fee", "display_name_customer": "Package Protection Insurance", "display_name_merchant": "Package Protection Fee",
                       "base_cost": "2.5000", "cost_exc_tax": "2.5000", "cost_inc_tax": "2.5000", "cost_tax": "0.0000"},
                      {"id": 2, "type": "custom_fee", "display_name_merchant": "Rush surcharge", "cost_ex_tax": "5.0000", "cost_inc_tax": "6.0000"}]}
            """), Utc).Order;

        var fees = o.Lines.Where(l => l.Kind == LineKind.Fee).ToList();
        Assert.Equal(new OrderLine(null, null, "Package Protection Insurance", 1, 2.5m, 2.5m, LineKind.Fee) { Tax = 0m }, fees[0]);
        Assert.Equal(new OrderLine(null, null, "Rush surcharge", 1, 5m, 5m, LineKind.Fee) { Tax = 1m }, fees[1]);
    }

    [Fact]
    public void Read_GivesNoFeeLines_WhenFeesIsAResourceReference()
    {
        var o = Format.Read(Json("""
            {"id": 401, "status_id": 11, "total_inc_tax": "42.5000", "fees": {"url": "https://api.bigcommerce.com/stores/x/v2/orders/401/fees", "resource": "/orders/401/fees"},
             "products": [{"sku": "VASE-CER", "name": "Ceramic Vase", "quantity": 1, "price_ex_tax": "40.0000", "price_inc_tax": "40.0000"}]}
            """), Utc);
        NoErrors(o);
        Assert.Empty(o.Problems.Warnings);
        Assert.Equal(LineKind.Product, Assert.Single(o.Order.Lines).Kind);
    }

    [Theory]
    [InlineData("refunded", 68)]
    [InlineData("void", 0)]
    public void Read_TakesTheRefund_FromThePaymentStatus_OfACancelledOrder(string paymentStatus, decimal refunded)
    {
        // refunded_amount "always returns 0": a cancelled order (5) keeps its status when its payment was given back.
        var o = Format.Read(Json($$"""{"id": 407, "status_id": 5, "payment_status": "{{paymentStatus}}", "refunded_amount": "0.0000", "total_inc_tax": "68.0000"}"""), Utc).Order;
        Assert.Equal(refunded, o.AmountRefunded);
    }

    [Fact]
    public void Read_NamesAnArchivedOrder_Deleted()
    {
        var o = Format.Read(Json("""{"id": 402, "status_id": 10, "status": "Completed", "payment_status": "captured", "is_deleted": true, "total_inc_tax": "40.0000"}"""), Utc).Order;
        Assert.Equal("Deleted", o.Status);
        // Its money is still what the order says.
        Assert.Equal(40m, o.AmountPaid);
    }

    [Fact]
    public void Read_SaysUnpaid_ForAwaitingPayment()
    {
        var o = Format.Read(Json("""{"id": 1, "status_id": 7, "total_inc_tax": "10.0000"}"""), Utc).Order;
        Assert.Equal("Awaiting Payment", o.Status);
        Assert.Equal(0m, o.AmountPaid);
    }
}
