using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using static ReconcileApi.Tests.Formats.Fixture;

namespace ReconcileApi.Tests.Formats;

public sealed class KeapCsvFormatTests
{
    static readonly KeapCsvFormat Format = new();
    static readonly Table Report = Csv(Text("keap-orders-report.csv"));

    [Fact]
    public void Read_MapsAKeapReport_OneOrderPerOrderId()
    {
        // The report's dates are month first (10/01/2026): ambiguous without a date order.
        var orders = Format.Read(Report, In("America/New_York") with { DateOrder = DateOrder.Mdy }).ToList();
        Assert.Equal(["2", "3"], orders.Select(o => o.Read.Order.OrderId));
        var read = orders[0].Read;
        NoErrors(read);
        var o = read.Order;
        Assert.Equal("Shopify Order #1001", o.OrderNumber);
        Assert.Equal(At(2026, 10, 1, 16, 0), o.OrderDate);
        Assert.Equal("Bob Norman", o.CustomerName);
        Assert.Equal("bob.norman@mail.example.com", o.CustomerEmail);
        Assert.Equal(598.94m, o.Total);
        Assert.Equal(598.94m, o.AmountPaid);
        Assert.Equal("Paid", o.Status);
        Assert.Null(o.Currency);
    }

    [Theory]
    [InlineData("-$60.00")]
    [InlineData("($60.00)")]
    [InlineData("$60.00")]
    public void Read_TakesARefundWrittenAsACredit_AsTheAmountGivenBack(string refund)
    {
        var table = Table(["Order Id", "Order Title", "Order Total", "Total Paid", "Refund Total", "Pay Status"],
            ["9222", "WooCommerce Order #2123", "$60.00", "$60.00", refund, "Refunded"]);
        Assert.Equal(60m, Assert.Single(Format.Read(table, Utc)).Read.Order.AmountRefunded);
    }

    /// <summary>Keap's report repeats every order column on each item row ("$598.94" three times): no warning.</summary>
    [Fact]
    public void Read_WarnsAboutNothing_WhereEachRowRepeatsTheOrdersColumns() =>
        Assert.All(Format.Read(Report, In("America/New_York") with { DateOrder = DateOrder.Mdy }), o => Assert.Empty(o.Read.Problems.Warnings));

    [Fact]
    public void Read_ClassifiesLinesByItemType_AndSumsOrderAmounts()
    {
        var o = Format.Read(Report, Utc).First().Read.Order;
        Assert.Equal(
            [new OrderLine("IPOD2008GREEN", null, "IPod Nano - 8gb", 3, 199m, 597m),
             new OrderLine(null, null, "Sales tax", 1, 11.94m, 11.94m, LineKind.Tax),
             new OrderLine(null, null, "Order discount", 1, -10m, -10m, LineKind.Discount)],
            o.Lines);
        Assert.Equal(597m, o.Subtotal);
        Assert.Equal(11.94m, o.Tax);
        Assert.Equal(10m, o.Discount);
        Assert.Null(o.Shipping);
    }

    [Fact]
    public void Read_ReadsThousandsSeparatorsAndQuotedCommas()
    {
        var read = Format.Read(Report, Utc with { DateOrder = DateOrder.Mdy }).Last().Read;
        NoErrors(read);
        Assert.Equal(1049m, read.Order.Total);
        Assert.Equal(0m, read.Order.AmountPaid);
        Assert.Equal("Jane", read.Order.CustomerName);
        Assert.Equal(new OrderLine("CONS-10", null, "Consulting, 10 hours", 1, 1049m, 1049m, LineKind.Fee), Assert.Single(read.Order.Lines));
    }

    [Fact]
    public void Read_AcceptsOtherLabels_AndAColumnMap()
    {
        var table = Table(
            ["Invoice Id", "Job Title", "Date Created", "Email", "Invoice Total", "Amount Paid", "Status", "Product", "Quantity", "Unit Price", "Keap Ref"],
            ["'41", "WooCommerce Order #727", "2026-10-04", "j@example.com", "29.35", "29.35", "PAID", "Woo Single #1", "2", "3.00", "KR-41"]);
        var read = Assert.Single(Format.Read(table, WithMap(("orderNumber", "keap ref")))).Read;
        NoErrors(read);
        Assert.Equal("41", read.Order.OrderId);
        Assert.Equal("KR-41", read.Order.OrderNumber);
        Assert.Equal(29.35m, read.Order.AmountPaid);
        Assert.Equal(6m, read.Order.Subtotal);
    }

    [Fact]
    public void Read_StoresTheOrder_WarningOfAnUnknownItemTypeAndABadTotalDue()
    {
        var table = Table(
            ["Order Id", "Order Total", "Total Due", "Qty", "Price", "Product Name", "Item Type"],
            ["5", "10", "n/a", "1", "10", "X", "Teleport"]);
        var read = Assert.Single(Format.Read(table, Utc)).Read;
        NoErrors(read);
        Assert.Equal(["Item Type", "Total Due"], read.Problems.Warnings.Select(e => e.Field));
        // Neither is guessed: no lines, and nothing known paid.
        Assert.Empty(read.Order.Lines);
        Assert.Null(read.Order.AmountPaid);
    }

    [Fact]
    public void Read_NeverTakesTheInvoiceNumberAsTheStoreReference()
    {
        var table = Table(["Order Id", "Invoice Number", "Order Total", "Source Type"], ["5", "1001", "10", "MANUAL_PAYMENT"]);
        var order = Assert.Single(Format.Read(table, Utc)).Read.Order;
        Assert.Null(order.OrderNumber);
        Assert.Equal("MANUAL_PAYMENT", order.SourceType);
    }

    [Fact]
    public void Read_DerivesAmountPaidFromTotalDue_WhenTotalPaidIsMissing()
    {
        var table = Table(["Order Id", "Order Total", "Total Due"], ["5", "$100.00", "$40.00"]);
        Assert.Equal(60m, Assert.Single(Format.Read(table, Utc)).Read.Order.AmountPaid);
    }

    [Fact]
    public void Read_RejectsTheReportsMonthFirstDates_WithoutADateOrder()
    {
        var read = Format.Read(Report, Utc).First().Read;
        var error = Assert.Single(read.Problems.Errors);
        Assert.Equal("Order Date", error.Field);
        Assert.Contains("dateOrder", error.Message);
    }
}
