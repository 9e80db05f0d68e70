using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

public sealed class CsvFormatTests
{
    static readonly CsvFormat Format = new();

    [Fact]
    public void Read_MapsOneRowPerOrder_ByHeaderAliases_IgnoringCaseSpacesAndUnderscores()
    {
        var table = Table(
            ["ORDER_ID", " Order Number ", "Customer-Email", "first name", "Last Name", "Created At", "currency", "Grand Total", "Sub Total", "Taxes", "Shipping Cost", "Discount Amount", "Total Paid", "Refunded", "Payment Status", "Transaction ID", "Updated", "Ignored Column"],
            ["1001", "#1001", "bob@example.com", "Bob", "Norman", "2026-10-01T12:00:00-05:00", "usd", "598.94", "560.00", "28.94", "10.00", "0", "598.94", "0", "paid", "ch_3Nx", "2026-10-01T12:05:00Z", "whatever"]);
        var order = Assert.Single(Format.Read(table, Utc));
        NoErrors(order.Read);
        var o = order.Read.Order;
        Assert.Equal(2, order.Line);
        Assert.Equal("1001", o.OrderId);
        Assert.Equal("#1001", o.OrderNumber);
        Assert.Equal("bob@example.com", o.CustomerEmail);
        Assert.Equal("Bob Norman", o.CustomerName);
        Assert.Equal(At(2026, 10, 1, 17, 0), o.OrderDate);
        Assert.Equal(At(2026, 10, 1, 12, 5), o.UpdatedAt);
        Assert.Equal("USD", o.Currency);
        Assert.Equal(598.94m, o.Total);
        Assert.Equal(560m, o.Subtotal);
        Assert.Equal(28.94m, o.Tax);
        Assert.Equal(10m, o.Shipping);
        Assert.Equal(0m, o.Discount);
        Assert.Equal(598.94m, o.AmountPaid);
        Assert.Equal(0m, o.AmountRefunded);
        Assert.Equal("paid", o.Status);
        Assert.Equal("ch_3Nx", o.PaymentReference);
        Assert.Empty(o.Lines);
        Assert.Equal("whatever", order.Raw["Ignored Column"]);
    }

    [Fact]
    public void Read_KeysATableWithoutAnOrderIdColumn_ByItsOrderNumbers()
    {
        var table = Table(["Order Number", "Total", "SKU", "Qty", "Unit Price"],
            ["#1001", "30.00", "A", "1", "20.00"],
            ["#1001", "", "B", "1", "10.00"],
            ["#1002", "5.00", "A", "1", "5.00"]);

        var orders = Format.Read(table, Utc).Select(o => o.Read).ToList();

        Assert.All(orders, NoErrors);
        Assert.Equal(["#1001", "#1002"], orders.Select(o => o.Order.OrderId));
        Assert.Equal([2, 1], orders.Select(o => o.Order.Lines.Count));
    }

    [Theory]
    [InlineData("JPY", "12.800", 12800)] // 12.8 yen cannot be: the point groups thousands (a European-locale export)
    [InlineData("JPY", "¥12.800", 12800)]
    [InlineData("JPY", "12.80", 12.80)]
    [InlineData("USD", "12.800", 12.8)]
    [InlineData(null, "12.800", 12.8)]
    public void Read_ReadsAPointBeforeThreeDigits_AsThousands_OnlyInACurrencyWithoutMinorUnits(string? currency, string text, decimal expected)
    {
        var table = Table(["Order Id", "Currency", "Total", "SKU", "Qty", "Unit Price"], ["1", currency ?? "", text, "A", "1", text]);
        var o = Assert.Single(Format.Read(table, Utc)).Read.Order;
        Assert.Equal(expected, o.Total);
        Assert.Equal(expected, Assert.Single(o.Lines).UnitPrice);
    }

    [Fact]
    public void Read_AccumulatesLinesOfRowsSharingAnOrderId_TakingOrderFieldsFromTheFirstRow()
    {
        var table = Table(
            ["Order Id", "Email", "Total", "SKU", "Product Name", "Qty", "Unit Price", "Line Kind"],
            ["A-1", "a@example.com", "35.00", "TEE", "Tee", "2", "10.00", ""],
            ["B-2", "b@example.com", "5.00", "MUG", "Mug", "1", "5.00", ""],
            ["A-1", "", "", "CAP", "Cap", "1", "12.00", "product"],
            ["A-1", "other@example.com", "99", "", "Shipping", "1", "3.00", "shipping"]);
        var orders = Format.Read(table, Utc).ToList();
        Assert.Equal(["A-1", "B-2"], orders.Select(o => o.Read.Order.OrderId));
        var a = orders[0].Read.Order;
        Assert.Equal("a@example.com", a.CustomerEmail);
        Assert.Equal(35.00m, a.Total);
        Assert.Equal(
            [new OrderLine("TEE", null, "Tee", 2, 10m, 20m), new OrderLine("CAP", null, "Cap", 1, 12m, 12m), new OrderLine(null, null, "Shipping", 1, 3m, 3m, LineKind.Shipping)],
            a.Lines);
        Assert.Equal("TEE", orders[0].Raw["SKU"]);
        Assert.Equal("CAP", orders[0].Raw["SKU (line 4)"]);
        Assert.Equal(2, orders[0].Line);
        Assert.Equal(3, orders[1].Line);
    }

    [Fact]
    public void Read_ContinuesTheOrderAbove_WhenARowHasLineCellsButNoId()
    {
        var table = Table(
            ["Order Id", "Total", "SKU", "Qty", "Price"],
            ["7", "30", "A", "1", "10"],
            ["", "", "B", "2", "10"]);
        var order = Assert.Single(Format.Read(table, Utc));
        Assert.Equal(["A", "B"], order.Read.Order.Lines.Select(l => l.Sku));
    }

    [Fact]
    public void Read_CleansTrickyCells()
    {
        var table = Table(
            ["id", "reference", "amount", "date", "tax", "discount", "status"],
            ["'00123", "'#1001", "$1,234.56", "'2025-10-07 09:50:26 +0200", "USD 12.00", "(5.00)", " paid "]);
        var read = Assert.Single(Format.Read(table, Utc)).Read;
        NoErrors(read);
        Assert.Equal("00123", read.Order.OrderId);
        Assert.Equal("#1001", read.Order.OrderNumber);
        Assert.Equal(1234.56m, read.Order.Total);
        Assert.Equal(At(2025, 10, 7, 7, 50, 26), read.Order.OrderDate);
        Assert.Equal(12m, read.Order.Tax);
        Assert.Equal(-5m, read.Order.Discount);
        Assert.Equal("paid", read.Order.Status);
    }

    [Fact]
    public void Read_ReadsOffsetlessDatesInTheContextZone_AndRfc2822Exactly()
    {
        var table = Table(
            ["Order Id", "Total", "Order Date"],
            ["1", "1", "2026-07-01 08:00:00"],
            ["2", "1", "Sat, 03 Mar 2018 02:35:28 +0000"]);
        var orders = Format.Read(table, In("Europe/London")).ToList();
        Assert.Equal(At(2026, 7, 1, 7, 0), orders[0].Read.Order.OrderDate);
        Assert.Equal(At(2018, 3, 3, 2, 35, 28), orders[1].Read.Order.OrderDate);
    }

    [Fact]
    public void Read_LetsTheColumnMapOverrideAliases()
    {
        var table = Table(
            ["id", "Ref", "Total", "Gross"],
            ["internal-1", "SO-77", "1.00", "118.00"]);
        var read = Assert.Single(Format.Read(table, WithMap(("orderId", "Ref"), ("total", " gross ")))).Read;
        NoErrors(read);
        Assert.Equal("SO-77", read.Order.OrderId);
        Assert.Equal(118m, read.Order.Total);
    }

    [Fact]
    public void Read_ReportsAColumnMapThatNamesNoColumnOrNoField()
    {
        var table = Table(["Order Id", "Total"], ["1", "2"]);
        var read = Assert.Single(Format.Read(table, WithMap(("total", "Gross"), ("colour", "Total")))).Read;
        Assert.Equal(["columnMap.total", "columnMap.colour"], read.Problems.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Read_ReportsProblemsByHeaderWithTheLine_AndAMissingIdAsOrderId()
    {
        var table = Table(
            ["Order Id", "Order Total", "Created", "Qty", "SKU", "Kind"],
            ["1", "ten", "not a date", "x", "A", "gift"],
            ["", "5", "", "", "", ""]);
        var orders = Format.Read(table, Utc).ToList();
        Assert.Equal(2, orders.Count);
        var first = orders[0].Read.Problems;
        // The total and the order date reject the order; the line is left out with a warning per bad cell.
        Assert.Equal(["Created", "Order Total"], first.Errors.Select(e => e.Field));
        Assert.Equal(["Kind", "Qty", "unitPrice"], first.Warnings.Select(e => e.Field));
        Assert.All(first.Errors.Concat(first.Warnings.Take(2)), e => Assert.StartsWith("Line 2:", e.Message));
        var second = Assert.Single(orders[1].Read.Problems.Errors);
        Assert.Equal("orderId", second.Field);
        Assert.Contains("line 3", second.Message);
    }

    [Fact]
    public void Read_ReportsAMissingTotalColumn()
    {
        var read = Assert.Single(Format.Read(Table(["Order Id"], ["1"]), Utc)).Read;
        Assert.Equal("total", Assert.Single(read.Problems.Errors).Field);
    }

    [Fact]
    public void Read_SkipsBlankRows_AndToleratesShortRows()
    {
        var table = new Table(["Order Id", "Total", "Email"], [new TableRow(2, ["", " ", ""]), new TableRow(3, ["9", "1.50"])]);
        var order = Assert.Single(Format.Read(table, Utc));
        NoErrors(order.Read);
        Assert.Equal(3, order.Line);
        Assert.Null(order.Read.Order.CustomerEmail);
    }
}
