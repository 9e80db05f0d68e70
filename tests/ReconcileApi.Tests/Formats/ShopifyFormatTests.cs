using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

public sealed class ShopifyFormatTests
{
    static readonly ShopifyFormat Format = new();
    static readonly System.Text.Json.JsonElement[] Orders = JsonOrders("shopify-orders.json");

    [Fact]
    public void Read_MapsTheDocumentedOrder1001()
    {
        var read = Format.Read(Orders[0], Utc);
        NoErrors(read);
        var o = read.Order;
        Assert.Null(read.SkipReason);
        Assert.Equal("450789469", o.OrderId);
        Assert.Equal("#1001", o.OrderNumber);
        Assert.Equal("bob.norman@mail.example.com", o.CustomerEmail);
        Assert.Equal("Bob Norman", o.CustomerName);
        Assert.Equal(At(2008, 1, 10, 16, 0), o.OrderDate);
        Assert.Equal(At(2008, 1, 10, 16, 0), o.UpdatedAt);
        Assert.Equal("USD", o.Currency);
        Assert.Equal(598.94m, o.Total);
        Assert.Equal(597.00m, o.Subtotal);
        Assert.Equal(11.94m, o.Tax);
        Assert.Equal(10.00m, o.Discount);
        Assert.Equal(0m, o.Shipping);
        Assert.Equal("partially_refunded", o.Status);
        Assert.Equal(598.94m, o.AmountPaid);
    }

    [Fact]
    public void Read_SumsOnlySuccessfulRefundTransactions()
    {
        var o = Format.Read(Orders[0], Utc).Order;
        Assert.Equal(41.94m, o.AmountRefunded);
    }

    [Fact]
    public void Read_GivesProductLinesFromLineItems_AndShippingLinesFromShippingLines()
    {
        var lines = Format.Read(Orders[0], Utc).Order.Lines;
        Assert.Equal(4, lines.Count);
        var black = lines[2];
        Assert.Equal(new OrderLine("IPOD2008BLACK", "632910392", "IPod Nano - 8gb", 1, 199.00m, 189.00m, LineKind.Product) { Discount = 10.00m }, black);
        Assert.Equal(LineKind.Shipping, lines[3].Kind);
        Assert.Equal("Free Shipping", lines[3].Name);
        Assert.Equal(0m, lines[3].UnitPrice);
    }

    [Fact]
    public void Read_TakesATipLineItem_AsAFeeLine()
    {
        // A tip is a line item with tip_payment_gateway ("Present only on tips"), not a product: like a fee it is an order
        // item a sync may leave out (Keap's item type TIP).
        var lines = Format.Read(Json("""
            {"id": 7001, "financial_status": "paid", "total_price": "59.00", "total_tip_received": "5.00", "created_at": "2026-10-06T12:10:00-04:00",
             "line_items": [{"id": 1, "title": "Ceramic Mug", "sku": "MUG-01", "quantity": 2, "price": "25.00"},
                            {"id": 2, "title": "Tip", "sku": null, "quantity": 1, "price": "5.00", "tip_payment_gateway": "shopify_payments", "tip_payment_method": "Visa"}]}
            """), Utc).Order.Lines;
        Assert.Equal(LineKind.Product, Assert.Single(lines, l => l.Name == "Ceramic Mug").Kind);
        Assert.Equal(LineKind.Fee, Assert.Single(lines, l => l.Name == "Tip").Kind);
    }

    [Fact]
    public void Read_TakesTheOrdersDuties_AsAFeeLine_UnlessThePricesIncludeThem()
    {
        // Duties ("import taxes charged by customs authorities") are part of total_price beside the lines, tax and shipping:
        // an order item a sync may leave out, and one a Keap copy needs for its items to add up to the total.
        const string order = """
            {"id": 7002, "financial_status": "paid", "total_price": "115.00", "created_at": "2026-10-14T10:00:00-05:00", "duties_included": false,
             "original_total_duties_set": {"shop_money": {"amount": "15.00", "currency_code": "USD"}, "presentment_money": {"amount": "15.00", "currency_code": "USD"}},
             "current_total_duties_set": {"shop_money": {"amount": "15.00", "currency_code": "USD"}, "presentment_money": {"amount": "15.00", "currency_code": "USD"}},
             "line_items": [{"id": 1, "title": "Jacket", "sku": "JKT-1", "quantity": 1, "current_quantity": 1, "price": "100.00"}]}
            """;
        var duties = Assert.Single(Format.Read(Json(order), Utc).Order.Lines, l => l.Kind == LineKind.Fee);
        Assert.Equal(("Duties", 1m, 15.00m, 15.00m), (duties.Name, duties.Quantity, duties.UnitPrice, duties.LineTotal));

        // Duties already in the prices (duties_included: "whether duties are included in the subtotal price") are no charge of their own.
        var included = Format.Read(Json(order.Replace("\"duties_included\": false", "\"duties_included\": true")), Utc).Order;
        Assert.DoesNotContain(included.Lines, l => l.Kind == LineKind.Fee);
        // Nor are the null duty sets of an order without duties (the documented examples).
        var none = Format.Read(Json("""
            {"id": 7003, "financial_status": "paid", "total_price": "100.00", "created_at": "2026-10-14T10:00:00-05:00",
             "original_total_duties_set": null, "current_total_duties_set": null,
             "line_items": [{"id": 1, "title": "Jacket", "sku": "JKT-1", "quantity": 1, "price": "100.00"}]}
            """), Utc);
        NoErrors(none);
        Assert.Equal([LineKind.Product], none.Order.Lines.Select(l => l.Kind));
    }

    [Fact]
    public void Read_TakesTheOrdersAdditionalFees_AsAFeeLine_InTheRestAndTheGraphQlShape()
    {
        // A Colorado retail delivery fee of 0.28: original_total_additional_fees_set / originalTotalAdditionalFeesSet, part of
        // total_price beside the lines. Unread, a Keap copy without it was short by an amount no cause named, and one with the
        // fee as an item had a line the store lacked.
        var rest = Format.Read(Json("""
            {"id": 7004, "financial_status": "paid", "total_price": "50.28", "created_at": "2026-10-14T10:00:00-06:00",
             "original_total_additional_fees_set": {"shop_money": {"amount": "0.28", "currency_code": "USD"}, "presentment_money": {"amount": "0.28", "currency_code": "USD"}},
             "current_total_additional_fees_set": {"shop_money": {"amount": "0.28", "currency_code": "USD"}, "presentment_money": {"amount": "0.28", "currency_code": "USD"}},
             "line_items": [{"id": 1, "title": "Jacket", "sku": "JKT-1", "quantity": 1, "current_quantity": 1, "price": "50.00"}]}
            """), Utc);
        NoErrors(rest);
        var fee = Assert.Single(rest.Order.Lines, l => l.Kind == LineKind.Fee);
        Assert.Equal(("Additional fees", 1m, 0.28m, 0.28m), (fee.Name, fee.Quantity, fee.UnitPrice, fee.LineTotal));

        var graphQl = new ShopifyGraphQlFormat().Read(Json("""
            {"id": "gid://shopify/Order/7004", "name": "#1004", "displayFinancialStatus": "PAID", "createdAt": "2026-10-14T16:00:00Z", "currencyCode": "USD",
             "totalPriceSet": {"shopMoney": {"amount": "50.28", "currencyCode": "USD"}},
             "originalTotalAdditionalFeesSet": {"shopMoney": {"amount": "0.28", "currencyCode": "USD"}, "presentmentMoney": {"amount": "0.28", "currencyCode": "USD"}},
             "lineItems": {"nodes": [{"id": "gid://shopify/LineItem/1", "name": "Jacket", "sku": "JKT-1", "quantity": 1, "currentQuantity": 1,
               "originalUnitPriceSet": {"shopMoney": {"amount": "50.00", "currencyCode": "USD"}}}]}}
            """), Utc);
        NoErrors(graphQl);
        Assert.Equal(0.28m, Assert.Single(graphQl.Order.Lines, l => l.Kind == LineKind.Fee).LineTotal);
        // The documented orders' null sets are no fee.
        Assert.DoesNotContain(Format.Read(Json("""
            {"id": 7005, "financial_status": "paid", "total_price": "50.00", "created_at": "2026-10-14T10:00:00-06:00",
             "original_total_additional_fees_set": null, "current_total_additional_fees_set": null,
             "line_items": [{"id": 1, "title": "Jacket", "sku": "JKT-1", "quantity": 1, "price": "50.00"}]}
            """), Utc).Order.Lines, l => l.Kind == LineKind.Fee);
    }

    [Fact]
    public void Read_GivesALineMarkedNotTaxable_NoTax_WhereATaxableLineWithoutTaxLinesHasAnUnknownOne()
    {
        // The documented "tax lines split across taxable line items" order: Blue Suede Shoes sent with "taxable": false come back
        // with "tax_lines": [] — no tax, which a gift card sold in a VAT shop has too. A taxable line listing no tax lines says nothing.
        var lines = Format.Read(Json("""
            {"id": 7004, "financial_status": "paid", "total_price": "49.00", "taxes_included": true, "created_at": "2026-10-11T10:00:00+01:00",
             "line_items": [{"id": 1, "title": "Ceramic Mug", "sku": "MUG-01", "quantity": 2, "price": "12.00", "taxable": true,
                             "tax_lines": [{"title": "VAT", "rate": 0.2, "price": "4.00"}]},
                            {"id": 2, "title": "Gift Card", "sku": null, "quantity": 1, "price": "25.00", "gift_card": true, "taxable": false, "tax_lines": []},
                            {"id": 3, "title": "Tote Bag", "sku": "TOTE", "quantity": 1, "price": "5.00", "taxable": true, "tax_lines": []}]}
            """), Utc).Order.Lines;
        Assert.Equal([4.00m, 0m, null], lines.Select(l => l.Tax));
    }

    [Fact]
    public void Read_SaysCancelled_WhenCancelledAtIsSet_EvenIfPaid()
    {
        var o = Format.Read(Orders[1], Utc).Order;
        Assert.Equal("cancelled", o.Status);
        Assert.Equal(45.50m, o.AmountPaid);
    }

    [Fact]
    public void Read_TakesTheNumericIdFromAGraphQlId()
    {
        Assert.Equal("820982911", Format.Read(Orders[1], Utc).Order.OrderId);
    }

    [Fact]
    public void Read_FallsBackToCustomerEmail_AndBillingName_AndShippingLineSum()
    {
        var read = Format.Read(Orders[1], Utc);
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("Anna@Example.com", o.CustomerEmail);
        Assert.Equal("Anna Schmidt", o.CustomerName);
        Assert.Equal("EUR", o.Currency);
        Assert.Equal(5.50m, o.Shipping);
        Assert.Null(o.AmountRefunded);
        Assert.Equal(At(2026, 10, 1, 7, 15), o.OrderDate);
    }

    [Fact]
    public void Read_KeepsANullSkuNull()
    {
        var line = Format.Read(Orders[1], Utc).Order.Lines[0];
        Assert.Null(line.Sku);
        Assert.Null(line.ProductId);
        Assert.Equal(2, line.Quantity);
        Assert.Equal(40.00m, line.LineTotal);
    }

    [Fact]
    public void Read_SkipsTestOrders()
    {
        var read = Format.Read(Orders[2], Utc);
        Assert.Equal("test order", read.SkipReason);
        Assert.Equal("820982912", read.Order.OrderId);
    }

    [Fact]
    public void Read_UsesOrderNumberAndProcessedAt_WhenNameAndCreatedAtAreMissing()
    {
        var o = Format.Read(Json("""{"id": 1, "order_number": 1005, "processed_at": "2026-10-01T10:00:00+00:00", "total_price": "5.00"}"""), Utc).Order;
        Assert.Equal("1005", o.OrderNumber);
        Assert.Equal(At(2026, 10, 1, 10, 0), o.OrderDate);
        Assert.Null(o.AmountPaid);
    }

    [Fact]
    public void Read_DatesTheOrderByProcessedAt_WhichAnImportSetsToWhenItWasPlaced()
    {
        var o = Format.Read(Json("""{"id": 1, "name": "#1126", "created_at": "2026-10-20T09:00:00-05:00", "processed_at": "2026-10-17T14:30:00-05:00", "total_price": "90.00"}"""), Utc).Order;
        Assert.Equal(At(2026, 10, 17, 19, 30), o.OrderDate);
    }

    [Fact]
    public void Read_TakesTheShippingTheBuyerPaid_AfterItsDiscount()
    {
        // total_shipping_price_set is "excluding discounts": 10.00 here, of which the buyer paid 5.00.
        var o = Format.Read(Json("""
            {"id": 1, "name": "#3010", "total_price": "55.00", "total_shipping_price_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}},
             "shipping_lines": [{"code": "Standard", "price": "10.00", "discounted_price": "5.00"}]}
            """), Utc).Order;
        Assert.Equal(5.00m, o.Shipping);
    }

    [Theory]
    // Shipping refunded with its tax: refund_shipping_lines give the shipping, the shipping_refund adjustment its tax.
    [InlineData("""[{"subtotal_amount_set": {"shop_money": {"amount": "10.00"}}}]""", """[{"kind": "shipping_refund", "amount": "-10.00", "tax_amount": "-0.80", "tax_amount_set": {"shop_money": {"amount": "-0.80"}}}]""", 118.80)]
    // Before API 2024-10 the shipping refund was the order adjustment alone.
    [InlineData("[]", """[{"kind": "shipping_refund", "amount": "-10.00", "tax_amount": "-0.80"}]""", 118.80)]
    // Untaxed shipping: the shipping alone.
    [InlineData("""[{"subtotal_amount_set": {"shop_money": {"amount": "10.00"}}}]""", """[{"kind": "shipping_refund", "amount": "-10.00", "tax_amount": "0.00"}]""", 118.00)]
    public void Read_AddsBackARefundedShippingWithItsTax_ToTheTotalOfAnEditedOrder(string shippingLines, string adjustments, decimal total)
    {
        // current_total_price "reflects order edits, returns, and refunds": an edited order's total is it with its refunds added back.
        var o = Format.Read(Json($$"""
            {"id": 1, "financial_status": "partially_refunded", "total_price": "168.80", "current_total_price": "108.00",
             "line_items": [{"id": 1, "title": "Tray", "quantity": 1, "current_quantity": 0, "price": "50.00"},
                            {"id": 2, "title": "Teapot", "quantity": 1, "current_quantity": 1, "price": "100.00"}],
             "refunds": [{"refund_line_items": [], "refund_shipping_lines": {{shippingLines}}, "order_adjustments": {{adjustments}},
                          "transactions": [{"kind": "refund", "status": "success", "amount": "10.80"}]}]}
            """), Utc).Order;
        Assert.Equal(total, o.Total);
    }

    [Fact]
    public void Read_TakesAShippingLineAnEditRemoved_AsRemoved_AndTheTotalAfterTheEdit()
    {
        // REST keeps returning a removed shipping line, marked is_removed (API 2024-04); total_price stays what was first ordered.
        var o = Format.Read(Json("""
            {"id": 1, "name": "#3531", "total_price": "60.00", "current_total_price": "50.00", "financial_status": "paid",
             "total_shipping_price_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}},
             "line_items": [{"id": 11, "title": "Brass Lantern", "sku": "LANT-BR", "quantity": 1, "current_quantity": 1, "price": "50.00"}],
             "shipping_lines": [{"id": 15, "code": "Standard", "title": "Standard", "price": "10.00", "discounted_price": "10.00", "is_removed": true}],
             "refunds": []}
            """), Utc).Order;
        Assert.Equal((50.00m, 0m, 50.00m), (o.Total, o.Shipping, o.AmountPaid));
        var removed = Assert.Single(o.Lines, l => l.Kind == LineKind.Shipping);
        Assert.Equal((0m, 1m), (removed.Quantity, removed.OriginalQuantity));
    }

    [Fact]
    public void Read_GivesAShippingLineItsTax()
    {
        var o = Format.Read(Json("""
            {"id": 1, "name": "#1", "total_price": "6.00", "taxes_included": true,
             "shipping_lines": [{"code": "Standard", "title": "Standard", "price": "6.00", "tax_lines": [{"price": "1.00", "rate": 0.2}]}]}
            """), Utc).Order;
        Assert.Equal(1.00m, Assert.Single(o.Lines, l => l.Kind == LineKind.Shipping).Tax);
    }

    [Fact]
    public void Read_ReportsBadFieldsWithTheirPaths()
    {
        var read = Format.Read(Json("""
            {"total_price": "abc", "created_at": "soon", "line_items": [{"quantity": 1, "price": "1.00"}, {"quantity": "two", "price": "1.00"}, 5]}
            """), Utc);
        Assert.Equal(["created_at", "orderId", "total_price"], read.Problems.Errors.Select(e => e.Field).Order());
        Assert.Equal(["line_items[1].quantity", "line_items[2]"], read.Problems.Warnings.Select(e => e.Field).Order());
        Assert.Equal("", read.Order.OrderId);
        Assert.Empty(read.Order.Lines);
    }

    [Fact]
    public void Read_ReportsANonObject_InsteadOfThrowing()
    {
        var read = Format.Read(Json("42"), Utc);
        Assert.Single(read.Problems.Errors);
    }

    [Fact]
    public void Read_GivesPaidMinusOutstanding_ForPartiallyPaidOrders()
    {
        var o = Format.Read(Json("""{"id": 9, "total_price": "100.00", "financial_status": "partially_paid", "total_outstanding": "60.00"}"""), Utc).Order;
        Assert.Equal(40.00m, o.AmountPaid);
    }

    [Fact]
    public void Read_LeavesRefundedUnknown_WhenRefundsListNoTransactions()
    {
        var o = Format.Read(Json("""{"id": 9, "total_price": "10.00", "refunds": [{"id": 1, "refund_line_items": [{"subtotal": 10.0}]}]}"""), Utc).Order;
        Assert.Null(o.AmountRefunded);
        var none = Format.Read(Json("""{"id": 9, "total_price": "10.00", "refunds": []}"""), Utc).Order;
        Assert.Equal(0m, none.AmountRefunded);
    }

    [Theory]
    [InlineData("""{"id": 1, "total_price": "1", "email": "a@x.com", "contact_email": "b@x.com", "customer": {"email": "c@x.com"}}""", "a@x.com")]
    [InlineData("""{"id": 1, "total_price": "1", "email": null, "contact_email": "b@x.com", "customer": {"email": "c@x.com"}}""", "b@x.com")]
    [InlineData("""{"id": 1, "total_price": "1", "customer": {"email": "c@x.com"}}""", "c@x.com")]
    [InlineData("""{"id": 1, "total_price": "1"}""", null)]
    public void Read_TakesTheFirstEmailOf_EmailContactEmailCustomerEmail(string json, string? email) =>
        Assert.Equal(email, Format.Read(Json(json), Utc).Order.CustomerEmail);

    [Fact]
    public void Read_TakesTheBillingAddressName_WhenNoPartsAreGiven()
    {
        var o = Format.Read(Json("""{"id": 1, "total_price": "1", "billing_address": {"name": "Bob Norman"}}"""), Utc).Order;
        Assert.Equal("Bob Norman", o.CustomerName);
    }
}
