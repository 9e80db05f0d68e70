using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

public sealed class WooCommerceFormatTests
{
    static readonly WooCommerceFormat Format = new();
    static readonly System.Text.Json.JsonElement[] Orders = JsonOrders("woocommerce-orders.json");

    [Fact]
    public void Read_AddsTheGiftCardsOfWooCommerceGiftCards_BackToTheTotal()
    {
        // WooCommerce Gift Cards sets the order's total to the total less the cards used and lists them in gift_cards
        // ({id, code, amount}, amount a number): 128.00 paid 50.00 by gift card is total "78.00". The order's price is 128.00.
        const string order = """
            {"id": 741, "number": "741", "status": "processing", "currency": "USD", "total": "78.00", "discount_total": "0.00",
             "date_created_gmt": "2026-10-16T11:00:00", "date_paid_gmt": "2026-10-16T11:00:05",
             "line_items": [{"id": 1, "name": "Trail Runner", "sku": "TRAIL-42", "quantity": 1, "subtotal": "120.00", "total": "120.00", "price": 120}],
             "gift_cards": [{"id": 43, "code": "XXXX-XXXX-XXXX-XXXX", "amount": 30}, {"id": 96, "code": "KKKK-KKKK-KKKK-KKKK", "amount": 20.5}]}
            """;
        var read = Format.Read(Json(order), Utc);
        NoErrors(read);
        Assert.Equal(128.50m, read.Order.Total);
        Assert.Equal(128.50m, read.Order.AmountPaid);
        Assert.Equal(0m, read.Order.Discount);
        // The plugin's empty list (an order without cards) changes nothing.
        Assert.Equal(78m, Format.Read(Json(order.Replace("""{"id": 43, "code": "XXXX-XXXX-XXXX-XXXX", "amount": 30}, {"id": 96, "code": "KKKK-KKKK-KKKK-KKKK", "amount": 20.5}""", "")), Utc).Order.Total);
    }

    [Fact]
    public void Read_TakesAWooPaymentsMultiCurrencyOrder_InTheStoresCurrency_WithTheCustomersAsPresentment()
    {
        // WooPayments writes the rate of the day (order-currency units per store unit) and the store's currency on an order paid
        // in another currency; once Stripe settled it, the processor's rate (store units per order unit) too, which wins.
        const string order = """
            {"id": 7301, "number": "7301", "status": "processing", "currency": "EUR", "total": "92.00", "total_tax": "0.00",
             "date_created_gmt": "2026-10-16T11:00:00", "date_paid_gmt": "2026-10-16T11:00:05",
             "line_items": [{"id": 1, "name": "Linen Apron", "sku": "APRON-LIN", "quantity": 2, "subtotal": "92.00", "total": "92.00", "price": 46}],
             "meta_data": [{"id": 1, "key": "_wcpay_multi_currency_order_exchange_rate", "value": "0.92"},
                           {"id": 2, "key": "_wcpay_multi_currency_order_default_currency", "value": "USD"}STRIPE]}
            """;
        var read = Format.Read(Json(order.Replace("STRIPE", "")), Utc);
        NoErrors(read);
        var o = read.Order;
        Assert.Equal(("USD", 100.00m, 100.00m, "EUR", 92.00m), (o.Currency, o.Total, o.AmountPaid, o.PresentmentCurrency, o.PresentmentTotal));
        var line = Assert.Single(o.Lines);
        Assert.Equal((50.00m, 100.00m), (line.UnitPrice, line.LineTotal));

        var settled = Format.Read(Json(order.Replace("STRIPE", """, {"id": 3, "key": "_wcpay_multi_currency_stripe_exchange_rate", "value": 1.0875}""")), Utc).Order;
        Assert.Equal((100.05m, 50.025m), (settled.Total, settled.Lines[0].UnitPrice));
        // FOX (WOOCS) writes the store's currency and the same rate under its own keys.
        var woocs = Format.Read(Json(order.Replace("STRIPE", "").Replace("_wcpay_multi_currency_order_exchange_rate", "_woocs_order_rate")
            .Replace("_wcpay_multi_currency_order_default_currency", "_woocs_order_base_currency")), Utc).Order;
        Assert.Equal(("USD", 100.00m, "EUR"), (woocs.Currency, woocs.Total, woocs.PresentmentCurrency));
        // A rate no two currencies have (zero, negative, 1e-29 whose inverse is past decimal's range) is no basis: read as it is.
        foreach (var rate in new[] { "\"0\"", "-0.92", "0.00000000000000000000000000001", "\"abc\"" })
        {
            var odd = Format.Read(Json(order.Replace("STRIPE", "").Replace("\"0.92\"", rate)), Utc);
            Assert.Equal(("EUR", 92.00m, null), (odd.Order.Currency, odd.Order.Total, odd.Order.PresentmentCurrency));
        }
        // An order in the store's own currency carries no such meta and is read as it is.
        Assert.Equal(("EUR", 92.00m, null), (Format.Read(Json(order.Replace("_wcpay_", "_other_").Replace("STRIPE", "")), Utc).Order is var plain ? (plain.Currency, plain.Total, plain.PresentmentCurrency) : default));
    }

    [Fact]
    public void Read_MapsTheDocumentedOrder727()
    {
        var read = Format.Read(Orders[0], In("America/Los_Angeles"));
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("727", o.OrderId);
        Assert.Equal("727", o.OrderNumber);
        Assert.Equal("processing", o.Status);
        Assert.Equal("john.doe@example.com", o.CustomerEmail);
        Assert.Equal("John Doe", o.CustomerName);
        Assert.Equal("USD", o.Currency);
        Assert.Equal(29.35m, o.Total);
        Assert.Equal(18.00m, o.Subtotal);
        Assert.Equal(1.35m, o.Tax);
        Assert.Equal(10.00m, o.Shipping);
        Assert.Equal(0m, o.Discount);
        Assert.Equal(29.35m, o.AmountPaid);
        Assert.Equal(0m, o.AmountRefunded);
        Assert.Null(o.PaymentReference);
    }

    [Fact]
    public void Read_TakesDateCreatedGmtAsUtc_WhateverTheZone()
    {
        var o = Format.Read(Orders[0], In("Asia/Tokyo")).Order;
        Assert.Equal(At(2017, 3, 22, 19, 28, 2), o.OrderDate);
        Assert.Equal(At(2017, 3, 22, 19, 28, 8), o.UpdatedAt);
    }

    [Fact]
    public void Read_ReadsSiteLocalDateCreatedInTheContextZone_WhenGmtIsMissing()
    {
        // 2026-03-29 02:30 does not exist in Berlin (clocks jump to 03:00): read as 03:30 CEST.
        var o = Format.Read(Orders[1], In("Europe/Berlin")).Order;
        Assert.Equal(At(2026, 3, 29, 1, 30), o.OrderDate);
        Assert.Equal(At(2026, 3, 30, 7, 0), o.UpdatedAt);
    }

    [Fact]
    public void Read_GivesProductShippingAndFeeLines()
    {
        var lines = Format.Read(Orders[0], Utc).Order.Lines;
        Assert.Equal(3, lines.Count);
        Assert.Equal(new OrderLine(null, "93", "Woo Single #1", 2, 3m, 6.00m, LineKind.Product) { Tax = 0.45m }, lines[0]);
        Assert.Equal("Bar3", lines[1].Sku);
        Assert.Equal("22", lines[1].ProductId);
        Assert.Equal(new OrderLine("flat_rate", null, "Flat Rate", 1, 10.00m, 10.00m, LineKind.Shipping) { Tax = 0m }, lines[2]);

        var other = Format.Read(Orders[1], Utc).Order.Lines;
        Assert.Equal(new OrderLine(null, null, "Gift wrap", 1, 2.50m, 2.50m, LineKind.Fee) { Tax = 0m }, other[2]);
    }

    [Fact]
    public void Read_KeepsAFeeAndAShippingLineNetOfTax_WithTheirTotalTaxAsTheirTax()
    {
        // A shop entering prices with 20% VAT: a 5.00 fee and 6.00 shipping come as net totals with their tax beside them.
        var lines = Format.Read(Json("""
            {"id": 1622, "status": "processing", "total": "51.00", "prices_include_tax": true, "date_created_gmt": "2026-10-16T11:30:00",
             "line_items": [{"name": "Silk Tie", "sku": "TIE-SILK", "quantity": 1, "subtotal": "33.33", "total": "33.33", "total_tax": "6.67"}],
             "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00", "total_tax": "1.00"}],
             "fee_lines": [{"name": "Gift wrapping", "total": "4.17", "total_tax": "0.83"}]}
            """), Utc).Order.Lines;
        Assert.Equal(new OrderLine("flat_rate", null, "Flat rate", 1, 5.00m, 5.00m, LineKind.Shipping) { Tax = 1.00m }, lines[1]);
        Assert.Equal(new OrderLine(null, null, "Gift wrapping", 1, 4.17m, 4.17m, LineKind.Fee) { Tax = 0.83m }, lines[2]);
    }

    [Fact]
    public void Read_TakesANegativeFee_AsTheDiscountItIs()
    {
        var o = Format.Read(Json("""
            {"id": 802, "status": "processing", "total": "72.00", "date_created_gmt": "2026-10-05T10:00:00",
             "line_items": [{"name": "Yoga Mat", "sku": "MAT-PRO", "quantity": 1, "subtotal": "80.00", "total": "80.00"}],
             "fee_lines": [{"name": "Loyalty discount", "total": "-8.00"}, {"name": "Gift wrap", "total": "2.50"}]}
            """), Utc).Order;
        Assert.Equal(LineKind.Discount, Assert.Single(o.Lines, l => l.Name == "Loyalty discount").Kind);
        Assert.Equal(LineKind.Fee, Assert.Single(o.Lines, l => l.Name == "Gift wrap").Kind);
    }

    [Fact]
    public void Read_CountsANegativeFee_InTheOrdersDiscount_BesideItsCoupons()
    {
        // discount_total is what coupons took off; a negative fee (loyalty points, "pay by bank" reductions) lowers the total
        // outside it, and is as much the order's discount.
        var o = Format.Read(Json("""
            {"id": 803, "status": "processing", "total": "67.00", "discount_total": "5.00", "date_created_gmt": "2026-10-05T10:00:00",
             "line_items": [{"name": "Yoga Mat", "sku": "MAT-PRO", "quantity": 1, "subtotal": "80.00", "total": "75.00"}],
             "fee_lines": [{"name": "Loyalty discount", "total": "-8.00"}]}
            """), Utc).Order;
        Assert.Equal(13.00m, o.Discount);
    }

    [Fact]
    public void Read_UsesVariationId_WhenProductIdIsZero()
    {
        Assert.Equal("451", Format.Read(Orders[1], Utc).Order.Lines[0].ProductId);
    }

    [Fact]
    public void Read_SumsNegativeRefundTotalsAsAPositiveAmount()
    {
        var o = Format.Read(Orders[1], Utc).Order;
        Assert.Equal(47.40m, o.AmountRefunded);
        Assert.Equal("refunded", o.Status);
    }

    [Fact]
    public void Read_TakesTransactionIdAsPaymentReference_AndDatePaidAsPaid()
    {
        var o = Format.Read(Orders[1], Utc).Order;
        Assert.Equal("pi_3NxYz", o.PaymentReference);
        Assert.Equal(47.40m, o.AmountPaid);
        Assert.Equal("W-1043", o.OrderNumber);
        Assert.Equal(5.00m, o.Discount);
    }

    [Fact]
    public void Read_SaysNothingPaid_WhenDatePaidIsNull()
    {
        Assert.Equal(0m, Format.Read(Orders[2], Utc).Order.AmountPaid);
    }

    [Theory]
    [InlineData("cod", "processing", null, 0)] // "payment won't be taken until delivery": COD's paid status is completed
    [InlineData("cod", "completed", null, 45)]
    [InlineData("cod", "processing", "2026-10-14T09:00:00", 45)]
    [InlineData("bacs", "processing", null, 45)] // a bank transfer the merchant confirmed
    public void Read_TakesACashOnDeliveryOrderInProcessing_AsNotYetPaid(string method, string status, string? paidGmt, decimal paid)
    {
        var datePaid = paidGmt is null ? "null" : $"\"{paidGmt}\"";
        var o = Format.Read(Json($$"""
            {"id": 4741, "status": "{{status}}", "total": "45.00", "payment_method": "{{method}}", "date_created_gmt": "2026-10-14T09:00:00", "date_paid_gmt": {{datePaid}}}
            """), Utc).Order;
        Assert.Equal(paid, o.AmountPaid);
    }

    [Fact]
    public void Read_ReportsBadFieldsWithTheirPaths()
    {
        var read = Format.Read(Orders[2], Utc);
        Assert.Equal(["total", "date_created_gmt"], read.Problems.Errors.Select(e => e.Field));
        Assert.Equal(["line_items[0].quantity"], read.Problems.Warnings.Select(e => e.Field));
    }

    [Fact]
    public void Read_ReportsAMissingId_AsOrderId()
    {
        var read = Format.Read(Json("""{"number": "5", "total": "1.00"}"""), Utc);
        Assert.Equal("orderId", Assert.Single(read.Problems.Errors).Field);
    }
}
