using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

/// <summary>
/// The stores' own order exports read with <c>?format=csv</c> (Vendor/SOURCES.md, round 10): BigCommerce's export templates
/// (column names from its export template fields, one row per order, products packed in "Product Details") and WooCommerce's
/// Customer/Order/Coupon Export ("Default": one row per order with <c>line_items</c> packed; "Default - One Row per Item").
/// </summary>
public sealed class CsvStoreExportTests
{
    static readonly CsvFormat Format = new();
    static readonly FormatContext StoreSide = FormatContext.Utc with { Side = OrderSource.Store, DateOrder = DateOrder.Dmy };

    /// <summary>The "Default" template's order columns in the order BigCommerce writes them.</summary>
    public const string BigCommerceHeader =
        "Order ID,Customer ID,Customer Name,Customer Email,Customer Phone,Order Date,Order Status,Subtotal (inc tax),Subtotal (ex tax),Tax Total," +
        "Shipping Cost (inc tax),Shipping Cost (ex tax),Ship Method,Handling Cost (inc tax),Handling Cost (ex tax),Store Credit Redeemed," +
        "Gift Certificate Amount Redeemed,Gift Certificate Code,Gift Certificate Expiration Date,Coupon Details,Order Total (inc tax)," +
        "Order Total (ex tax),Payment Method,Total Quantity,Total Shipped,Date Shipped,Order Currency Code,Exchange Rate,Order Notes," +
        "Customer Message,Billing First Name,Billing Last Name,Billing Company,Billing Street 1,Billing Street 2,Billing Suburb,Billing State," +
        "Billing Zip,Billing Country,Billing Phone,Billing Email,Product Details,Refund Amount";

    [Fact]
    public void Read_TakesABigCommerceDefaultExport_WithItsIncTaxTotal_ExTaxSubtotalAndShipping_AndItsPackedProducts()
    {
        var csv = BigCommerceHeader + "\n" +
            "186,54,\"Dawn Shill\",dawn@mail.example.com,907-250-6975,26/10/2026,Shipped,286.75,265.50,21.25,5.00,5.00,Ground,0.0000,0.0000,0.00,0.00,,,," +
            "291.75,270.50,\"Credit Card\",4,4,27/10/2026,USD,1.0000000000,,,Dawn,Shill,,\"PO Box 772706\",,\"Eagle River\",AK,99577,\"United States\",," +
            "dawn@mail.example.com,\"Product ID: 100, Product Qty: 1, Product SKU: 8810-WB-S, Product Name: Surya Leopard Yoga Legging, Product Weight: 0.8000, " +
            "Product Variation Details: Size: S (4), Color: Blue, Product Unit Price: 67.50, Product Total Price: 67.50|Product ID: 166, Product Qty: 3, " +
            "Product SKU: KN-1, Product Name: Boning Knife | Butcher's Edition, Product Weight: 5.0000, Product Variation Details: , Product Unit Price: 66.00, " +
            "Product Total Price: 198.00\",0.0000\n";

        var order = Assert.Single(Format.Read(Csv(csv), StoreSide)).Read;

        NoErrors(order);
        Assert.Empty(order.Problems.Warnings);
        var o = order.Order;
        Assert.Equal(("186", "186"), (o.OrderId, o.OrderNumber));
        Assert.Equal("dawn@mail.example.com", o.CustomerEmail);
        Assert.Equal(new DateTime(2026, 10, 26, 0, 0, 0, DateTimeKind.Utc), o.OrderDate);
        Assert.Equal((291.75m, 265.50m, 21.25m, 5.00m, 0m), (o.Total, o.Subtotal!.Value, o.Tax!.Value, o.Shipping!.Value, o.AmountRefunded!.Value));
        Assert.Equal(("USD", "Shipped", false), (o.Currency, o.Status, o.TaxesIncluded));
        Assert.Equal(
            [("8810-WB-S", "100", "Surya Leopard Yoga Legging", 1m, 67.50m, 67.50m), ("KN-1", "166", "Boning Knife | Butcher's Edition", 3m, 66.00m, 198.00m)],
            o.Lines.Select(l => (l.Sku, l.ProductId, l.Name, l.Quantity, l.UnitPrice, l.LineTotal!.Value)));
    }

    [Fact]
    public void Read_TakesBigCommerceProductPrices_AsIncludingTax_WhenTheyAddUpToTheSubtotalWithTax()
    {
        // A store that shows order prices with tax exports each product's price_inc_tax; only the amounts say so.
        var table = Table(["Order ID", "Subtotal (inc tax)", "Subtotal (ex tax)", "Tax Total", "Order Total (inc tax)", "Product Details"],
            ["201", "120.00", "100.00", "20.00", "120.00", "Product ID: 5, Product Qty: 2, Product SKU: T-1, Product Unit Price: 60.00, Product Total Price: 120.00"],
            ["202", "120.00", "100.00", "20.00", "120.00", "Product ID: 5, Product Qty: 2, Product SKU: T-1, Product Unit Price: 50.00, Product Total Price: 100.00"],
            ["203", "120.00", "100.00", "20.00", "120.00", "Product ID: 5, Product Qty: 2, Product SKU: T-1, Product Unit Price: 55.00, Product Total Price: 110.00"]);

        Assert.Equal([true, false, null], Format.Read(table, StoreSide).Select(o => o.Read.Order.TaxesIncluded));
    }

    [Fact]
    public void Read_TakesTheIncTaxTotal_OfBigCommercesMyobTemplate_WhoseTotalColumnIsTheSubtotal()
    {
        var table = Table(["Co./Last Name", "First Name", "Invoice #", "Date", "Total", "Inc-Tax Total", "Tax Amount", "Inc-Tax Freight Amount", "Currency Code"],
            ["Shill", "Dawn", "186", "26/10/2026", "286.75", "291.75", "21.25", "5.00", "USD"]);

        var order = Assert.Single(Format.Read(table, WithMap(("orderId", "Invoice #")) with { DateOrder = DateOrder.Dmy })).Read;

        NoErrors(order);
        Assert.Equal((291.75m, 21.25m, 5.00m), (order.Order.Total, order.Order.Tax!.Value, order.Order.Shipping!.Value));
    }

    [Fact]
    public void Read_LeavesTheLinesOut_WithAWarningNamingTheProduct_WhenAPackedQuantityCannotBeRead()
    {
        var table = Table(["Order ID", "Order Total (inc tax)", "Product Details"],
            ["7", "10.00", "Product ID: 1, Product Qty: 1, Product SKU: A, Product Unit Price: 5.00|Product ID: 2, Product Qty: two, Product SKU: B, Product Unit Price: 5.00"],
            ["8", "10.00", "one Tee and one Mug"]);

        var orders = Format.Read(table, StoreSide).Select(o => o.Read).ToList();

        Assert.All(orders, NoErrors);
        Assert.All(orders, o => Assert.Empty(o.Order.Lines));
        Assert.Contains("Line 2, product 2: quantity 'two' is not a number.", Assert.Single(orders[0].Problems.Warnings).Message);
        Assert.Equal("Product Details", orders[1].Problems.Warnings.Single().Field);
        Assert.Contains("Line 3: the products in this cell are in no known shape", orders[1].Problems.Warnings.Single().Message);
    }

    /// <summary>The plugin's "Default" format: column keys as headers, dates "Y-m-d H:i:s" in the site's zone, items packed.</summary>
    public const string WooHeader =
        "order_id,order_number,order_number_formatted,date,status,shipping_total,shipping_tax_total,fee_total,fee_tax_total,tax_total,discount_total," +
        "order_total,refunded_total,order_currency,payment_method,shipping_method,customer_id,billing_first_name,billing_last_name,billing_company," +
        "billing_email,billing_phone,line_items,shipping_items,fee_items,tax_items,coupon_items,refunds,order_notes,download_permissions_granted";

    [Fact]
    public void Read_TakesAWooCommerceDefaultExport_WithItsRefund_AndItsCouponAsTheLinesDiscount()
    {
        var csv = WooHeader + "\n" +
            "727,,,2026-10-12 09:30:00,refunded,10.00,0.00,0.00,0.00,3.60,4.00,45.60,45.60,EUR,stripe,Flat rate,3,Ana,Lopez,,ana@mail.example.com,," +
            "\"id:311|name:Ship Your Idea \\: Black|product_id:22|sku:IDEA-BLK|quantity:2|subtotal:40.00|subtotal_tax:0.00|total:36.00|total_tax:3.60|refunded:36.00|refunded_qty:2|meta:;" +
            "id:312|name:Sticker|product_id:0|sku:unknown_product|quantity:1|subtotal:0.00|subtotal_tax:0.00|total:0.00|total_tax:0.00|refunded:0.00|refunded_qty:0|meta:\"," +
            "id:313|method_id:flat_rate|method_title:Flat rate|total:10.00,,id:314|rate_id:1|code:VAT|title:VAT|total:3.60|compound:,id:315|code:save10|amount:4.00|description:," +
            "id:320|date:2026-10-14 11:00:00|amount:45.60|reason:Damaged,,0\n";

        var order = Assert.Single(Format.Read(Csv(csv), StoreSide with { Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid") })).Read;

        NoErrors(order);
        var o = order.Order;
        // order_number is empty unless a plugin numbers the orders: the store's number is its id.
        Assert.Equal(("727", "727"), (o.OrderId, o.OrderNumber));
        Assert.Equal(new DateTime(2026, 10, 12, 7, 30, 0, DateTimeKind.Utc), o.OrderDate);
        Assert.Equal((45.60m, 3.60m, 10.00m, 4.00m, 45.60m), (o.Total, o.Tax!.Value, o.Shipping!.Value, o.Discount!.Value, o.AmountRefunded!.Value));
        Assert.Equal(("EUR", "refunded", "ana@mail.example.com", "Ana Lopez"), (o.Currency, o.Status, o.CustomerEmail, o.CustomerName));
        Assert.Equal(
            [("IDEA-BLK", "Ship Your Idea : Black", 2m, 20.00m, 36.00m, (decimal?)4.00m, (decimal?)3.60m), (null, "Sticker", 1m, 0m, 0m, null, 0m)],
            o.Lines.Select(l => (l.Sku, l.Name, l.Quantity, l.UnitPrice, l.LineTotal!.Value, l.Discount, l.Tax)));
    }

    [Fact]
    public void Read_TakesAWooCommerceOneRowPerItemExport_PricingEachLineBeforeItsCoupon()
    {
        var table = Table(
            ["order_id", "order_number", "date", "status", "shipping_total", "tax_total", "discount_total", "order_total", "refunded_total", "order_currency", "billing_email",
                "item_id", "item_product_id", "item_name", "item_sku", "item_quantity", "item_subtotal", "item_subtotal_tax", "item_total", "item_total_tax", "item_refunded", "item_refunded_qty", "item_meta"],
            ["728", "", "2026-10-13 18:05:00", "completed", "5.00", "0.00", "6.00", "59.00", "0.00", "USD", "li@mail.example.com", "401", "31", "Mug", "MUG-1", "2", "30.00", "0.00", "27.00", "0.00", "0.00", "0", ""],
            ["728", "", "2026-10-13 18:05:00", "completed", "5.00", "0.00", "6.00", "59.00", "0.00", "USD", "li@mail.example.com", "402", "32", "Tee", "TEE-1", "1", "30.00", "0.00", "27.00", "0.00", "0.00", "0", "Size=M"]);

        var order = Assert.Single(Format.Read(table, StoreSide)).Read;

        NoErrors(order);
        Assert.Equal(("728", 59.00m, 6.00m), (order.Order.OrderNumber, order.Order.Total, order.Order.Discount!.Value));
        Assert.Equal([("MUG-1", 2m, 15.00m, 27.00m, (decimal?)3.00m), ("TEE-1", 1m, 30.00m, 27.00m, (decimal?)3.00m)],
            order.Order.Lines.Select(l => (l.Sku, l.Quantity, l.UnitPrice, l.LineTotal!.Value, l.Discount)));
    }

    [Fact]
    public void Read_TakesTheWholeTotalAsRefunded_WhenARefundedStoreOrdersRefundAmountIsZero_WithAWarning()
    {
        var table = Table(["Order ID", "Order Status", "Order Total (inc tax)", "Refund Amount"],
            ["189", "Refunded", "120.00", "0.0000"], ["190", "Partially Refunded", "80.00", "0.0000"], ["191", "Refunded", "50.00", "20.00"]);

        var orders = Format.Read(table, StoreSide).Select(o => o.Read).ToList();

        Assert.Equal([120.00m, 0m, 20.00m], orders.Select(o => o.Order.AmountRefunded!.Value));
        var warning = Assert.Single(orders[0].Problems.Warnings);
        Assert.Equal(("Refund Amount", "Line 2: the order is 'Refunded' with a refunded amount of 0; its whole total 120.00 is read as refunded."), (warning.Field, warning.Message));
        Assert.All(orders.Skip(1), o => Assert.Empty(o.Problems.Warnings));
        Assert.Equal(0m, Format.Read(table, FormatContext.Utc with { Side = OrderSource.Keap }).First().Read.Order.AmountRefunded);
    }

    [Fact]
    public void Read_KeepsAKeapTablesOrderNumber_EmptyWhenItHasNone()
    {
        var table = Table(["Order ID", "Order Total"], ["8812", "10.00"]);
        Assert.Null(Assert.Single(Format.Read(table, FormatContext.Utc with { Side = OrderSource.Keap })).Read.Order.OrderNumber);
    }

    [Fact]
    public void Read_RejectsEachOrderOfWooCommerceAnalyticsDownload_SayingNetSalesIsNotTheTotal()
    {
        var table = Table(["Date", "Order #", "Status", "Customer", "Customer type", "Product(s)", "Items sold", "Coupon(s)", "Net sales", "Attribution"],
            ["2026-10-13", "728", "Completed", "Li Wei", "new", "2× Mug, Tee", "3", "save10", "54.00", "Direct"]);

        var error = Assert.Single(Assert.Single(Format.Read(table, StoreSide)).Read.Problems.Errors);

        Assert.Equal("total", error.Field);
        Assert.Contains("'Net sales' is not the order total", error.Message);
    }
}
