using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

public sealed class KeapFormatTests
{
    static readonly KeapFormat Format = new();
    static readonly System.Text.Json.JsonElement[] V1 = JsonOrders("keap-v1-orders.json");
    static readonly System.Text.Json.JsonElement[] V2 = JsonOrders("keap-v2-orders.json");

    [Fact]
    public void Read_MapsAV1Order()
    {
        var read = Format.Read(V1[0], In("America/New_York"));
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("2", o.OrderId);
        Assert.Equal("Shopify Order #1001", o.OrderNumber);
        Assert.Equal("PAID", o.Status);
        Assert.Equal(At(2026, 10, 1, 17, 0), o.OrderDate);
        Assert.Equal(At(2026, 10, 1, 17, 6), o.UpdatedAt);
        Assert.Equal(598.94m, o.Total);
        Assert.Equal(598.94m, o.AmountPaid);
        Assert.Equal(0m, o.AmountRefunded);
        Assert.Null(o.Currency);
        Assert.Equal("Bob.Norman@mail.example.com", o.CustomerEmail);
        Assert.Equal("Bob Norman", o.CustomerName);
    }

    [Fact]
    public void Read_ClassifiesV1ItemsByType_AndSumsThemIntoOrderAmounts()
    {
        var o = Format.Read(V1[0], Utc).Order;
        Assert.Equal([LineKind.Product, LineKind.Shipping, LineKind.Tax, LineKind.Discount], o.Lines.Select(l => l.Kind));
        Assert.Equal(new OrderLine("IPOD2008GREEN", "3", "IPod Nano - 8gb", 3, 199m, 597m, LineKind.Product), o.Lines[0]);
        Assert.Equal(597m, o.Subtotal);
        Assert.Equal(0m, o.Shipping);
        Assert.Equal(11.94m, o.Tax);
        Assert.Equal(10m, o.Discount);
    }

    [Fact]
    public void Read_NeverTakesTheInvoiceNumberAsTheStoreReference_AndFallsBackToTheCreationDate()
    {
        var o = Format.Read(V1[1], Utc).Order;
        // invoice_number 32 is Keap's own number: an order without a title has no store reference.
        Assert.Null(o.OrderNumber);
        Assert.Equal(At(2026, 10, 2, 0, 0), o.OrderDate);
        Assert.Equal(At(2026, 10, 2, 0, 0), o.CreatedAt);
        Assert.Equal(49m, o.Total);
        Assert.Null(o.Tax);
        Assert.Null(o.Discount);
        Assert.Equal("Jane", o.CustomerName);
    }

    [Fact]
    public void Read_StoresTheOrderWithoutLines_WarningOfUnknownItemTypesAndBadQuantities_WithPaths()
    {
        var read = Format.Read(V1[1], Utc);
        NoErrors(read);
        Assert.Equal(["order_items[1].quantity", "order_items[1].type"], read.Problems.Warnings.Select(e => e.Field));
        Assert.All(read.Problems.Warnings, w => Assert.EndsWith(LineReader.LeftOut, w.Message));
        Assert.Empty(read.Order.Lines);
    }

    [Fact]
    public void Read_KeepsTheSourceType()
    {
        var o = Format.Read(Json("""{"id": 9, "title": "Annual Membership", "total": 120, "source_type": "MANUAL_PAYMENT", "order_date": "2026-10-01T00:00:00Z"}"""), Utc).Order;
        Assert.Equal(("MANUAL_PAYMENT", "Annual Membership"), (o.SourceType, o.OrderNumber));
    }

    [Fact]
    public void Read_MapsAV2OrderWithMinorUnitMoney()
    {
        var read = Format.Read(V2[0], Utc);
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("15", o.OrderId);
        Assert.Equal("Shopify Order #1002", o.OrderNumber);
        Assert.Equal(At(2026, 10, 2, 14, 0), o.OrderDate);
        Assert.Equal(At(2026, 10, 2, 14, 5), o.UpdatedAt);
        Assert.Equal("USD", o.Currency);
        Assert.Equal(54.94m, o.Total);
        Assert.Equal(54.94m, o.AmountPaid);
        Assert.Equal(10.00m, o.AmountRefunded);
        Assert.Equal("ann@example.com", o.CustomerEmail);
        Assert.Equal("Ann Lee", o.CustomerName);
        Assert.Equal(new OrderLine("TEE-BLK-M", "4", "Tee", 2, 25m, 50m, LineKind.Product), o.Lines[0]);
        Assert.Equal([LineKind.Product, LineKind.Shipping, LineKind.Tax, LineKind.Discount], o.Lines.Select(l => l.Kind));
        Assert.Equal(50m, o.Subtotal);
        Assert.Equal(5m, o.Shipping);
        Assert.Equal(4.94m, o.Tax);
        Assert.Equal(5m, o.Discount);
    }

    [Fact]
    public void Read_KeepsZeroDecimalCurrenciesWhole_AndFallsBackToCreationTime()
    {
        var read = Format.Read(V2[1], Utc);
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("JPY", o.Currency);
        Assert.Equal(3300m, o.Total);
        Assert.Equal(0m, o.AmountPaid);
        Assert.Equal(3300m, o.Lines[0].UnitPrice);
        Assert.Equal(At(2026, 10, 3, 1, 0), o.OrderDate);
        Assert.Equal("kenji@example.jp", o.CustomerEmail);
        Assert.Equal("Kenji Sato", o.CustomerName);
    }

    [Fact]
    public void Read_AcceptsPlainMajorUnitNumbersInV2()
    {
        var read = Format.Read(V2[2], In("America/Denver"));
        NoErrors(read);
        var o = read.Order;
        Assert.Equal(29.35m, o.Total);
        Assert.Null(o.Currency);
        Assert.Equal(At(2026, 10, 4, 16, 0), o.OrderDate);
        Assert.Equal([LineKind.Product, LineKind.Shipping, LineKind.Tax, LineKind.Discount, LineKind.Fee], o.Lines.Select(l => l.Kind));
        Assert.Equal(0m, o.Discount);
    }

    [Fact]
    public void Read_DetectsV2ByItsTimes_AndIgnoresV1Dates()
    {
        var o = Format.Read(Json("""
            {"id": "20", "order_date": "2020-01-01T00:00:00Z", "order_time": "2026-01-01T00:00:00Z", "total": 5, "contact": {"given_name": "A", "first_name": "B"}}
            """), Utc).Order;
        Assert.Equal(At(2026, 1, 1, 0, 0), o.OrderDate);
        Assert.Equal("A", o.CustomerName);
    }

    [Fact]
    public void Read_DetectsV2ByMoneyObjects_WhenNothingElseSaysSo()
    {
        var o = Format.Read(Json("""{"id": "21", "order_date": "2020-01-01T00:00:00Z", "total": {"amount": 1999, "currency_code": "EUR"}}"""), Utc).Order;
        Assert.Equal(19.99m, o.Total);
        Assert.Equal("EUR", o.Currency);
        Assert.Null(o.OrderDate);
    }

    [Fact]
    public void Read_DetectsV1_AndPrefersFirstName()
    {
        var o = Format.Read(Json("""{"id": 22, "order_date": "2020-01-01T00:00:00Z", "total": 5, "contact": {"first_name": "B", "last_name": "C"}}"""), Utc).Order;
        Assert.Equal(At(2020, 1, 1, 0, 0), o.OrderDate);
        Assert.Equal("B C", o.CustomerName);
    }

    [Theory]
    [InlineData("KWD", 12345, "12.345")]
    [InlineData("KRW", 12345, "12345")]
    [InlineData("usd", 12345, "123.45")]
    public void Read_ScalesMinorUnitsByTheCurrencysExponent(string currency, long amount, string expected)
    {
        var o = Format.Read(Json($$$"""{"id": "1", "total": {"amount": {{{amount}}}, "currency_code": "{{{currency}}}"}}"""), Utc).Order;
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), o.Total);
        Assert.Equal(currency.ToUpperInvariant(), o.Currency);
    }

    [Fact]
    public void Read_FallsBackToFormattedAmount_WhenAmountIsMissing()
    {
        var o = Format.Read(Json("""{"id": "1", "order_time": "2026-01-01T00:00:00Z", "total": {"currency_code": "USD", "formatted_amount": "$1,299.00"}}"""), Utc).Order;
        Assert.Equal(1299m, o.Total);
    }

    [Fact]
    public void Read_ReportsBadMoneyObjects_WithPaths()
    {
        var read = Format.Read(Json("""
            {"order_time": "2026-01-01T00:00:00Z", "total": {"amount": "lots", "currency_code": "USD"}, "order_items": [{"item_type": "PRODUCT", "price_per_unit": {"amount": "x"}}]}
            """), Utc);
        Assert.Equal(["orderId", "total.amount"], read.Problems.Errors.Select(e => e.Field).Order());
        Assert.Contains("order_items[0].price_per_unit.amount", read.Problems.Warnings.Select(e => e.Field));
    }

    [Theory]
    [InlineData(null, LineKind.Product)]
    [InlineData("PRODUCT", LineKind.Product)]
    [InlineData("Product", LineKind.Product)]
    [InlineData("UPSELL", LineKind.Product)]
    [InlineData("SUBSCRIPTION", LineKind.Product)]
    [InlineData("SHIPPING", LineKind.Shipping)]
    [InlineData("TAX", LineKind.Tax)]
    [InlineData("DISCOUNT_ORDER", LineKind.Discount)]
    [InlineData("DISCOUNT_PRODUCT", LineKind.Discount)]
    [InlineData("DISCOUNT_SHIPPING", LineKind.Discount)]
    [InlineData("Special: Order Total", LineKind.Discount)]
    [InlineData("SPECIAL_PRODUCT", LineKind.Discount)]
    [InlineData("SERVICE", LineKind.Fee)]
    [InlineData("Service & Misc", LineKind.Fee)]
    [InlineData("FINANCE_CHARGE", LineKind.Fee)]
    [InlineData("FEE", LineKind.Fee)]
    [InlineData("UNKNOWN", LineKind.Fee)]
    [InlineData("4", LineKind.Product)]
    [InlineData("1", LineKind.Shipping)]
    [InlineData("2", LineKind.Tax)]
    [InlineData("12", LineKind.Discount)]
    [InlineData("TELEPORT", null)]
    public void ItemKind_MapsKeapItemTypes(string? type, LineKind? kind) =>
        Assert.Equal(kind, LineKinds.FromKeapItemType(type));
}
