using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

public sealed class ShopifyCsvFormatTests
{
    static readonly ShopifyCsvFormat Format = new();
    static readonly Table Export = Csv(Text("shopify-orders-export.csv"));

    static List<TableOrder> Read(FormatContext? context = null) => Format.Read(Export, context ?? Utc).ToList();

    [Fact]
    public void Read_GroupsLineItemRowsByName()
    {
        var orders = Read();
        Assert.Equal(["#1001", "#1002", "#1003"], orders.Select(o => o.Read.Order.OrderNumber));
        Assert.Equal(3, orders[0].Read.Order.Lines.Count);
        Assert.Single(orders[1].Read.Order.Lines);
    }

    /// <summary>Shopify's export repeats Name, Email, Fulfillment Status and Created at on an order's later rows: same values, no warning.</summary>
    [Fact]
    public void Read_WarnsAboutNothing_WhereLaterRowsRepeatTheOrdersValues() =>
        Assert.All(Read(), o => Assert.Empty(o.Read.Problems.Warnings));

    [Fact]
    public void Read_KeepsTwoOrdersThatShareAName_ApartByTheirIds()
    {
        var table = Table(["Name", "Id", "Total", "Lineitem quantity", "Lineitem name", "Lineitem price"],
            ["#3051", "5200000003051", "30.00", "1", "Case", "20.00"],
            ["#3051", "", "", "1", "Strap", "10.00"],
            ["#3051", "5200000003099", "20.00", "1", "Case", "20.00"]);

        var orders = Format.Read(table, Utc).Select(o => o.Read.Order).ToList();

        Assert.Equal(["5200000003051", "5200000003099"], orders.Select(o => o.OrderId));
        Assert.Equal([2, 1], orders.Select(o => o.Lines.Count));
        Assert.All(orders, o => Assert.Equal("#3051", o.OrderNumber));
    }

    [Fact]
    public void Read_TakesOrderFieldsFromTheFirstRow()
    {
        var read = Read()[0].Read;
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("450789469", o.OrderId);
        Assert.Equal("bob.norman@mail.example.com", o.CustomerEmail);
        Assert.Equal("Bob Norman", o.CustomerName);
        Assert.Equal("partially_refunded", o.Status);
        Assert.Equal("USD", o.Currency);
        Assert.Equal(597.00m, o.Subtotal);
        Assert.Equal(0m, o.Shipping);
        Assert.Equal(11.94m, o.Tax);
        Assert.Equal(598.94m, o.Total);
        Assert.Equal(10.00m, o.Discount);
        Assert.Equal(598.94m, o.AmountPaid);
        Assert.Equal(41.94m, o.AmountRefunded);
        Assert.Equal("c21234567.1", o.PaymentReference);
        Assert.Equal(At(2025, 10, 7, 7, 50, 26), o.OrderDate);
    }

    [Fact]
    public void Read_KeepsQuotedCommasAndNewlinesInNames_AndStripsTheLeadingQuote()
    {
        var lines = Read()[0].Read.Order.Lines;
        Assert.Equal(new OrderLine("IPOD2008GREEN", null, "IPod Nano - 8gb - green, \"limited\"", 1, 199m, 199m), lines[0]);
        Assert.Equal("IPod Nano - 8gb\nred edition", lines[1].Name);
        Assert.Equal(new OrderLine("IPOD2008BLACK", null, "IPod Nano - 8gb - black", 1, 199m, 189m) { Discount = 10m }, lines[2]);
    }

    [Fact]
    public void Read_NumbersOrdersByTheirFirstRowsLine_AndKeepsEveryRowRaw()
    {
        var orders = Read();
        // #1001's first row spans lines 2–3 (a note with a newline), its second row lines 4–5.
        Assert.Equal(2, orders[0].Line);
        Assert.Equal(7, orders[1].Line);
        Assert.Equal("IPOD2008GREEN", orders[0].Raw["Lineitem sku"]);
        Assert.Equal("'IPOD2008BLACK", orders[0].Raw["Lineitem sku (line 6)"]);
    }

    [Fact]
    public void Read_SaysCancelled_WhenCancelledAtIsSet()
    {
        var o = Read()[1].Read.Order;
        Assert.Equal("cancelled", o.Status);
        Assert.Equal(45.50m, o.AmountPaid);
        Assert.Equal("820982911", o.OrderId);
        Assert.Null(o.Lines[0].Sku);
    }

    [Fact]
    public void Read_UsesTheNameAsId_WhenIdIsEmpty_AndSaysUnpaidForPending()
    {
        var read = Read(In("America/New_York"))[2].Read;
        NoErrors(read);
        Assert.Equal("#1003", read.Order.OrderId);
        Assert.Equal(0m, read.Order.AmountPaid);
        Assert.Equal("pending", read.Order.Status);
        Assert.Equal(At(2025, 10, 11, 11, 0), read.Order.OrderDate);
    }

    [Fact]
    public void Read_ReportsBadCellsByHeaderAndLine()
    {
        var table = Table(
            ["Name", "Total", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price"],
            ["#1", "12.00", "2025-10-07 09:50:26 +0200", "1", "A", "12.00"],
            ["#1", "", "", "one", "B", "1.00"],
            ["", "3.00", "", "", "", ""]);
        var orders = Format.Read(table, Utc).ToList();
        Assert.Equal(2, orders.Count);
        // A bad line cell stores the order without lines and says why; it does not reject the order.
        NoErrors(orders[0].Read);
        var warning = Assert.Single(orders[0].Read.Problems.Warnings);
        Assert.Equal("Lineitem quantity", warning.Field);
        Assert.StartsWith("Line 3:", warning.Message);
        Assert.Empty(orders[0].Read.Order.Lines);
        Assert.Equal("orderId", Assert.Single(orders[1].Read.Problems.Errors).Field);
    }

    [Fact]
    public void Read_GivesPaidMinusOutstanding_ForPartiallyPaidOrders()
    {
        var table = Table(
            ["Name", "Financial Status", "Total", "Outstanding Balance"],
            ["#9", "partially_paid", "100.00", "25.00"]);
        Assert.Equal(75m, Assert.Single(Format.Read(table, Utc)).Read.Order.AmountPaid);
    }
}
