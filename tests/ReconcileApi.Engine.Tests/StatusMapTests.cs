using ReconcileApi.Engine;

namespace ReconcileApi.Engine.Tests;

public sealed class StatusMapTests
{
    static readonly StatusMap StoreMap = new(OrderSource.Store, null);
    static readonly StatusMap KeapMap = new(OrderSource.Keap, null);

    static CanonicalOrder Order(string? status, decimal? paid = null, decimal? refunded = null) =>
        new() { OrderId = "1", Status = status, Total = 100m, AmountPaid = paid, AmountRefunded = refunded };

    [Theory]
    // Shopify financial_status
    [InlineData("pending", PaymentState.Unpaid)]
    [InlineData("authorized", PaymentState.Unpaid)]
    [InlineData("expired", PaymentState.Unpaid)]
    [InlineData("partially_paid", PaymentState.PartiallyPaid)]
    [InlineData("paid", PaymentState.Paid)]
    [InlineData("partially_refunded", PaymentState.PartiallyRefunded)]
    [InlineData("refunded", PaymentState.Refunded)]
    [InlineData("voided", PaymentState.Cancelled)]
    // WooCommerce status
    [InlineData("checkout-draft", PaymentState.Draft)]
    [InlineData("on-hold", PaymentState.Unpaid)]
    [InlineData("processing", PaymentState.Paid)]
    [InlineData("completed", PaymentState.Paid)]
    [InlineData("cancelled", PaymentState.Cancelled)]
    [InlineData("trash", PaymentState.Cancelled)]
    [InlineData("failed", PaymentState.Failed)]
    // BigCommerce status
    [InlineData("Incomplete", PaymentState.Draft)]
    [InlineData("Pending", PaymentState.Unpaid)]
    [InlineData("Awaiting Payment", PaymentState.Unpaid)]
    [InlineData("Manual Verification Required", PaymentState.Unpaid)]
    [InlineData("Deleted", PaymentState.Cancelled)]
    [InlineData("Awaiting Fulfillment", PaymentState.Paid)]
    [InlineData("Awaiting Shipment", PaymentState.Paid)]
    [InlineData("Awaiting Pickup", PaymentState.Paid)]
    [InlineData("Shipped", PaymentState.Paid)]
    [InlineData("Partially Shipped", PaymentState.Paid)]
    [InlineData("Completed", PaymentState.Paid)]
    [InlineData("Partially Refunded", PaymentState.PartiallyRefunded)]
    [InlineData("Refunded", PaymentState.Refunded)]
    [InlineData("Cancelled", PaymentState.Cancelled)]
    [InlineData("Declined", PaymentState.Failed)]
    // Canonical names map to themselves; case and spaces do not matter
    [InlineData("draft", PaymentState.Draft)]
    [InlineData("unpaid", PaymentState.Unpaid)]
    [InlineData("  PAID ", PaymentState.Paid)]
    public void StoreStatus_MapsToItsCanonicalState(string raw, PaymentState expected) =>
        Assert.Equal(expected, StoreMap.Map(Order(raw)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("on the moon")]
    public void StoreStatus_IsNotCompared_WhenAbsentOrUnknown(string? raw) =>
        Assert.Null(StoreMap.Map(Order(raw)));

    [Theory]
    [InlineData(60, PaymentState.PartiallyRefunded)]
    [InlineData(100, PaymentState.Refunded)]
    public void StoreStatus_PaidWithRefunds_IsRefunded(decimal refunded, PaymentState expected) =>
        Assert.Equal(expected, StoreMap.Map(Order("completed", 100m, refunded)));

    [Theory]
    [InlineData("DRAFT", null, null, PaymentState.Draft)]
    [InlineData("SENT", null, null, PaymentState.Unpaid)]
    [InlineData("VIEWED", 0, null, PaymentState.Unpaid)]
    [InlineData("PAID", null, null, PaymentState.Paid)]
    [InlineData("paid", null, null, PaymentState.Paid)]
    [InlineData("UNPAID", null, null, PaymentState.Unpaid)]
    [InlineData("SOMETHING NEW", null, null, PaymentState.Unpaid)]
    [InlineData(null, null, null, PaymentState.Unpaid)]
    // Amounts decide paid-ness
    [InlineData("SENT", 100, 0, PaymentState.Paid)]
    [InlineData("SENT", 120, 0, PaymentState.Paid)]
    [InlineData("SENT", 40, 0, PaymentState.PartiallyPaid)]
    [InlineData("PAID", 40, null, PaymentState.PartiallyPaid)]
    [InlineData("PAID", 100, 30, PaymentState.PartiallyRefunded)]
    [InlineData("PAID", 100, 100, PaymentState.Refunded)]
    [InlineData("PAID", null, 100, PaymentState.Refunded)]
    public void KeapStatus_FollowsLabelAndAmounts(string? label, int? paid, int? refunded, PaymentState expected) =>
        Assert.Equal(expected, KeapMap.Map(Order(label, paid, refunded)));

    [Fact]
    public void SettingsStatusMap_OverridesTheDefaults_CaseInsensitively()
    {
        var map = new StatusMap(OrderSource.Store, new Dictionary<string, PaymentState> { ["ON-HOLD"] = PaymentState.Paid, ["Disputed"] = PaymentState.Failed });

        Assert.Equal(PaymentState.Paid, map.Map(Order("on-hold")));
        Assert.Equal(PaymentState.Failed, map.Map(Order("disputed")));
    }

    [Theory]
    [InlineData(null, PaymentState.Paid)] // amounts not said: the status decides
    [InlineData(100, PaymentState.Paid)]
    [InlineData(0, PaymentState.Unpaid)] // WooCommerce cash on delivery in processing: nothing taken yet
    public void AStoreStatusThatSaysPaid_IsUnpaid_WhenTheAmountsSayNothingWasPaid(int? paid, PaymentState expected) =>
        Assert.Equal(expected, StoreMap.Map(Order("processing", paid)));
}
