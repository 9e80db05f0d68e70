using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

/// <summary>
/// The rules that decide false alarms on vendor data (DOMAIN.md, "What each vendor's line and money
/// fields really mean"), one case per rule, each with the answer a bookkeeper expects.
/// </summary>
public sealed class RealDataRuleTests
{
    static readonly ReconcileWindow Day = new(T0.AddHours(-12), T0.AddHours(12));

    [Fact]
    public void DeadSync_StoreOrdersAfterKeapsLastOrder_AreMissingWithSyncStopped_NotPending()
    {
        // Keap received nothing after the first order; the store kept selling for three days.
        var store = Enumerable.Range(0, 4).Select(d => Store($"#{1001 + d}", $"S{d}", T0.AddDays(d))).ToList();
        var keap = new[] { Keap() };
        var asOf = T0.AddDays(3).AddMinutes(30);

        var result = Reconciler.Reconcile(store, keap, ReconcileSettings.Default, new ReconcileWindow(T0.AddDays(-1), T0.AddDays(4)), asOf);

        Assert.Equal(["1002", "1003"], result.Findings.Select(f => f.OrderKey).Order());
        Assert.All(result.Findings, f => Assert.Equal((Category.MissingInKeap, CauseCodes.SyncStopped), (f.Category, f.Cause.Code)));
        // Only the order younger than the settle time at the cut-off waits.
        Assert.Equal("S3", Assert.Single(result.PendingOrders).OrderId);
        Assert.Equal(asOf, result.Cutoff);
        Assert.Equal(asOf.AddMinutes(-60), result.PendingAfter);
        Assert.Equal(T0.AddMinutes(1), result.KeapSyncLag.NewestOrder);
        Assert.Equal(71.98, result.KeapSyncLag.BehindHours);
        Assert.Equal(72.48, result.KeapSyncLag.BehindCutoffHours);
        Assert.Equal(0, result.StoreSyncLag.BehindHours);
    }

    [Fact]
    public void Cutoff_IsTheEarlierOfTheWindowsEndAndTheRunsStart()
    {
        var store = new[] { Store(date: T0.AddHours(11.5)) };

        var early = Reconciler.Reconcile(store, [], ReconcileSettings.Default, Day, asOf: T0.AddDays(5));
        var running = Reconciler.Reconcile(store, [], ReconcileSettings.Default, Day, asOf: T0.AddHours(11.75));

        Assert.Equal(Day.To, early.Cutoff);
        Assert.Equal(T0.AddHours(11.75), running.Cutoff);
        Assert.Single(early.PendingOrders);
        Assert.Equal(CauseCodes.SyncStopped, Assert.Single(Reconciler.Reconcile([Store(date: T0)], [], ReconcileSettings.Default, Day, T0.AddDays(5)).Findings).Cause.Code);
    }

    [Fact]
    public void MissingOrder_BeforeKeapsNewestOrder_HasCauseNotSynced()
    {
        var later = LaterPair();

        var finding = Single(Reconcile([Store(), later.Store], [later.Keap], ReconcileSettings.Default with { FuzzyMatching = false }).Findings, Category.MissingInKeap);

        Assert.Equal(CauseCodes.NotSynced, finding.Cause.Code);
    }

    [Fact]
    public void Result_CarriesWindowCountsRevenueAndMatchRate()
    {
        var store = new[] { Store(), Store("#1002", "S1002") with { Total = 50m }, Store("#1003", "S1003") with { Status = "failed" }, Store("#0999", "S0999", T0.AddDays(-2)) };
        var keap = new[] { Keap() };

        var result = Reconciler.Reconcile(store, keap, ReconcileSettings.Default with { FuzzyMatching = false }, Day, T0.AddDays(1));

        Assert.Equal((3, 1), (result.StoreOrders, result.KeapOrders));
        Assert.Equal((250m, 100m), (result.StoreRevenue, result.KeapRevenue));
        // The failed order is not expected in Keap: one matched of two that should be there.
        Assert.Equal(0.5m, result.MatchRate);
        Assert.Equal(1, result.NotExpectedInKeap);
    }

    [Theory]
    [InlineData("failed", null)]
    [InlineData("Declined", null)]
    [InlineData("voided", null)]
    [InlineData("checkout-draft", null)]
    [InlineData("Incomplete", null)]
    [InlineData("cancelled", 0)]
    [InlineData("trash", 0)]
    [InlineData("trash", 100)] // the merchant deleted it (DOMAIN: trash is not expected in Keap, paid or not)
    [InlineData("Deleted", 100)] // a BigCommerce order the merchant archived (is_deleted), paid
    public void StoreOrder_NeverPaid_IsNotExpectedInKeap(string status, int? paid)
    {
        var result = Reconcile([Store() with { Status = status, AmountPaid = paid }, LaterPair().Store], [LaterPair().Keap]);

        Assert.Empty(result.Findings);
        Assert.Equal(1, result.NotExpectedInKeap);
    }

    [Fact]
    public void StoreOrder_CancelledAfterPayment_WithTheMoneyKept_IsStillMissingInKeap()
    {
        var finding = Single(Findings(Store() with { Status = "cancelled", AmountPaid = 100m }, null), Category.MissingInKeap);

        Assert.Equal(100m, finding.Impact);
    }

    [Fact]
    public void KeapDraft_WithoutStoreTwin_IsAQuote_NotMissingInStore()
    {
        var result = Reconcile([LaterPair().Store], [Keap("Website redesign quote") with { Status = "DRAFT", AmountPaid = 0m, Total = 4800m }, LaterPair().Keap]);

        Assert.Empty(result.Findings);
        Assert.Equal(1, result.NotExpectedInStore);
    }

    [Fact]
    public void KeapDraftCopy_OfAPaidStoreOrder_IsPaymentNotRecorded()
    {
        var finding = Assert.Single(Findings(Store(), Keap() with { Status = "DRAFT", AmountPaid = 0m }));

        Assert.Equal((Category.StatusMismatch, CauseCodes.PaymentNotRecorded, 100m), (finding.Category, finding.Cause.Code, finding.Impact));
    }

    [Fact]
    public void KeapOrders_TypedByHand_WithTheSameTitle_AreNotDuplicates()
    {
        var a = Keap("Annual Membership", "K1") with { CustomerEmail = "ann@example.com", SourceType = "MANUAL_PAYMENT" };
        var b = Keap("Annual Membership", "K2") with { CustomerEmail = "joe@example.com", SourceType = "MANUAL_PAYMENT", OrderDate = T0.AddHours(3) };

        var findings = Findings(null, a) .Concat(Findings(null, b)).ToList();
        var both = Reconcile([LaterPair().Store], [a, b, LaterPair().Keap]).Findings;

        Assert.DoesNotContain(both, f => f.Category == Category.DuplicateInKeap);
        Assert.All(both, f =>
        {
            Assert.Equal((Category.MissingInStore, CauseCodes.CreatedInKeap, Severity.Low, ActionCodes.Review), (f.Category, f.Cause.Code, f.Severity, f.SuggestedAction.Code));
            Assert.Equal(0m, f.Impact);
        });
        Assert.Equal(2, findings.Count);
    }

    [Fact]
    public void KeapOrder_MadeThroughTheApi_WithoutReference_IsUnexplainedMoney()
    {
        var finding = Single(Findings(null, Keap(number: null) with { SourceType = "API", CustomerEmail = "zed@example.com" }), Category.MissingInStore);

        Assert.Equal((CauseCodes.Unknown, 100m, ActionCodes.Review), (finding.Cause.Code, finding.Impact, finding.SuggestedAction.Code));
    }

    [Fact]
    public void TaxInclusiveStoreLines_AgainstNetKeapLines_AreTheSame()
    {
        // A VAT shop: 2 × 48.00 including 8.00 tax per unit (16.00 on the line); Keap has 2 × 40.00 net and a tax item.
        var store = Store() with { TaxesIncluded = true, Lines = [Line(quantity: 2, unitPrice: 48m) with { Tax = 16m }] };
        var keap = Keap() with { Lines = [Line(quantity: 2, unitPrice: 40m), Line(null, 1, 16m, name: "VAT", kind: LineKind.Tax)] };

        Assert.Empty(Findings(store, keap));
        // Without a per-line tax amount the prices cannot be set side by side: quantities still are.
        var noLineTax = store with { Lines = [Line(quantity: 2, unitPrice: 48m)] };
        Assert.Empty(Findings(noLineTax, keap));
        Assert.Single(Findings(noLineTax, keap with { Lines = [Line(quantity: 3, unitPrice: 40m)] }), f => f.Category == Category.LineItemsMismatch);
    }

    [Theory]
    [InlineData("JPY", 1164, true)]   // 1,163.67 yen net: a yen price cannot come nearer than 1,164
    [InlineData("JPY", 1165, false)]  // a whole yen more is a price difference
    [InlineData("USD", 1164, false)]  // in cents 0.33 is a difference: the tolerance stays 0.01
    public void TaxInclusiveStoreLines_AgainstKeapNetPricesInWholeMinorUnits_DifferByLessThanHalfAUnit(string currency, decimal keapUnit, bool same)
    {
        // A Japanese shop: 3 × 1,280 yen including 10 % consumption tax, 349 yen on the line; Keap writes the net price in whole
        // yen (its money is "the smallest currency unit"), 3 × 1,164 and a 348-yen tax item.
        var store = Store() with { Currency = currency, Total = 3840m, Tax = 349m, Shipping = 0m, TaxesIncluded = true, Lines = [Line(quantity: 3, unitPrice: 1280m) with { Tax = 349m }] };
        var keap = Keap() with { Currency = currency, Total = 3840m, Lines = [Line(quantity: 3, unitPrice: keapUnit), Line(null, 1, 3840m - 3 * keapUnit, name: "Consumption Tax", kind: LineKind.Tax)] };

        Assert.Equal(same, !Findings(store, keap).Any(f => f.Category == Category.LineItemsMismatch));
    }

    [Fact]
    public void DiscountedStoreLines_AgainstKeapListPrices_AreTheSame()
    {
        // WooCommerce: 2 × 40.00 before a 10 % coupon (line total 72.00); Keap lists 2 × 40.00 and a discount item.
        var store = Store() with { Lines = [Line(quantity: 2, unitPrice: 40m) with { Discount = 8m, LineTotal = 72m }] };
        var keap = Keap() with { Lines = [Line(quantity: 2, unitPrice: 40m), Line(null, 1, -8m, name: "Coupon", kind: LineKind.Discount)] };

        Assert.Empty(Findings(store, keap));
        Assert.Empty(Findings(store, keap with { Lines = [Line(quantity: 2, unitPrice: 36m)] }));
    }

    [Theory]
    [InlineData(22.00, true)]   // the price with its tax before the coupon: subtotal + subtotal_tax, what the shop entered
    [InlineData(19.80, true)]   // with its tax after the coupon: total + total_tax
    [InlineData(23.00, false)]  // another price
    public void DiscountedTaxedStoreLines_AgainstKeapPricesWithTaxBeforeTheDiscount_AreTheSame(decimal keapUnit, bool same)
    {
        // WooCommerce with prices entered with 10 % tax: 2 × 20.00 net (22.00 gross), a 10 % coupon (4.00 + 0.40 tax): the line's
        // tax is after the coupon ("Line total tax (after discounts)": 3.60 on 36.00), charged at the rate that makes 22.00 of 20.00.
        var store = Store() with { Total = 39.60m, Subtotal = 40m, Tax = 3.60m, Shipping = 0m, Discount = 4m, Lines = [Line(quantity: 2, unitPrice: 20m) with { Discount = 4m, LineTotal = 36m, Tax = 3.60m }] };
        var keap = Keap() with { Total = 39.60m, Lines = [Line(quantity: 2, unitPrice: keapUnit), Line(null, 1, 39.60m - 2 * keapUnit, name: "Coupon", kind: LineKind.Discount)] };

        Assert.Equal(same, !Findings(store, keap).Any(f => f.Category == Category.LineItemsMismatch));
    }

    [Fact]
    public void LineRemovedByAnEdit_IsNotALine()
    {
        var store = Store() with { Lines = [Line(), Line("MUG", 0, 12m) with { OriginalQuantity = 1 }] };

        Assert.Empty(Findings(store, Keap()));
    }

    [Fact]
    public void EditAfterTheSync_ExplainsTheLineDifference()
    {
        var store = Store() with
        {
            UpdatedAt = T0.AddHours(5),
            Lines = [Line(), Line("MUG", 0, 12m) with { OriginalQuantity = 1 }],
        };
        var keap = Keap() with { CreatedAt = T0.AddMinutes(2), Lines = [Line(), Line("MUG", 1, 12m)] };

        var finding = Assert.Single(Findings(store, keap));

        Assert.Equal((Category.LineItemsMismatch, CauseCodes.EditedAfterSync), (finding.Category, finding.Cause.Code));
        Assert.Equal(12m, finding.Impact);
    }

    [Fact]
    public void StoreVariants_AgainstOneKeapProductWithoutSku_AreTheSameLine()
    {
        var store = Store() with { Lines = [Line("TEE-S", 1, 40m, name: "Tee"), Line("TEE-M", 1, 40m, name: "Tee")] };
        var keap = Keap() with { Lines = [Line(null, 2, 40m, name: "Tee")] };

        Assert.Empty(Findings(store, keap));
        Assert.Equal(LineComparison.Quantity, Assert.Single(Single(Findings(store, keap with { Lines = [Line(null, 3, 40m, name: "Tee")] }), Category.LineItemsMismatch).LineDifferences).Kind);
    }

    [Fact]
    public void LineAddedByAnEditAfterTheSync_IsExplainedByTheEdit_AButUpdateMinutesLaterIsNot()
    {
        var store = Store() with { Total = 112m, AmountPaid = 112m, UpdatedAt = T0.AddDays(1), Lines = [Line(), Line("WICK", 1, 12m, name: "Wick trimmer")] };
        var keap = Keap() with { CreatedAt = T0.AddMinutes(1) };

        var findings = Findings(store, keap);
        var soon = Findings(store with { UpdatedAt = T0.AddMinutes(5) }, keap);

        Assert.All(findings, f => Assert.Equal(CauseCodes.EditedAfterSync, f.Cause.Code));
        Assert.Equal([Category.AmountMismatch, Category.LineItemsMismatch], findings.Select(f => f.Category).Order());
        Assert.DoesNotContain(soon, f => f.Cause.Code == CauseCodes.EditedAfterSync);
    }

    [Fact]
    public void ZeroPricedLine_OnOneSideOnly_IsABundleComponent_NotADifference()
    {
        var keap = Keap() with { Lines = [Line(), Line(null, 1, 0m, name: "Mini Candle (bundle)")] };

        Assert.Empty(Findings(Store(), keap));
        Assert.Empty(Findings(Store() with { Lines = [Line(), Line("ABLE-1", 1, 0m, name: "Able Brewing System")] }, Keap()));
    }

    [Fact]
    public void CentsFromPerUnitRounding_OnOneLineOfSeveralUnits_AreRounding()
    {
        var store = Store() with { Total = 100.03m, AmountPaid = 100.03m, Lines = [Line(quantity: 3, unitPrice: 26.67m)] };

        Assert.Equal(CauseCodes.Rounding, Single(Findings(store, Keap() with { Lines = [Line(quantity: 3, unitPrice: 26.67m)] }), Category.AmountMismatch).Cause.Code);
    }

    [Fact]
    public void RunImpact_CountsAPairsLineDifferenceOnce_WithItsTotal()
    {
        var store = Store() with { Total = 140m, AmountPaid = 140m, Lines = [Line(quantity: 3)] };

        var result = Reconcile([store, LaterPair().Store], [Keap(), LaterPair().Keap]);

        Assert.Equal([40m, 40m], result.Findings.Select(f => f.Impact));
        Assert.Equal(40m, result.Impact);
    }

    [Fact]
    public void PastWindow_KeapsLaterOrdersOutsideIt_MeanItsSyncDidNotStop()
    {
        var window = new ReconcileWindow(T0.AddDays(-5), T0.AddDays(1));
        var store = new[] { Store("#1001", "S1", T0.AddDays(-4)), Store("#1002", "S2", T0) };
        var keap = new[] { Keap("Shopify Order #1001", "K1", T0.AddDays(-4)) };

        var lost = Single(Reconciler.Reconcile(store, keap, ReconcileSettings.Default with { FuzzyMatching = false }, window, T0.AddDays(10), newestKeap: T0.AddDays(3)).Findings, Category.MissingInKeap);
        var silent = Single(Reconciler.Reconcile(store, keap, ReconcileSettings.Default with { FuzzyMatching = false }, window, T0.AddDays(10)).Findings, Category.MissingInKeap);

        Assert.Equal((CauseCodes.NotSynced, CauseCodes.SyncStopped), (lost.Cause.Code, silent.Cause.Code));
    }

    [Fact]
    public void StoreDataThatStopped_IsNoReasonToCreateStoreOrders()
    {
        var later = Keap("Shopify Order #1005", "K1005", T0.AddDays(2));

        var asOf = T0.AddDays(10);
        var finding = Single(Reconciler.Reconcile([Store()], [Keap(), later], ReconcileSettings.Default, asOf: asOf).Findings, Category.MissingInStore);
        var refersToNothing = Single(Reconciler.Reconcile([Store(), Store("#1009", "S1009", T0.AddDays(3))], [Keap(), later, Keap("Shopify Order #1009", "K1009", T0.AddDays(3))],
            ReconcileSettings.Default, asOf: asOf).Findings, Category.MissingInStore);

        Assert.Equal((CauseCodes.SyncStopped, ActionCodes.Review, "store"), (finding.Cause.Code, finding.SuggestedAction.Code, finding.SuggestedAction.System));
        Assert.Equal((CauseCodes.Unknown, ActionCodes.CreateInStore, "#1005"), (refersToNothing.Cause.Code, refersToNothing.SuggestedAction.Code, refersToNothing.SuggestedAction.Values["orderNumber"]));
    }

    [Fact]
    public void LinesMissingOnOneSide_AreNotCompared()
    {
        Assert.Empty(Findings(Store(), Keap() with { Lines = [] }));
        Assert.Empty(Findings(Store() with { Lines = [] }, Keap()));
        Assert.Empty(Findings(Store(), Keap() with { Lines = [Line(null, 1, 8m, name: "Shipping", kind: LineKind.Shipping)] }));
    }

    [Fact]
    public void RenamedSku_WithTheSameMoney_IsLow_AndRanksBelowAMissingPayment()
    {
        var renamed = Findings(Store(), Keap() with { Lines = [Line("TEE-BLACK-MEDIUM")] });
        var line = Single(renamed, Category.LineItemsMismatch);
        var later = LaterPair();
        var all = Reconcile([Store(), Store("#1002", "S1002") with { Total = 30m }, later.Store],
            [Keap() with { Lines = [Line("TEE-BLACK-MEDIUM")] }, Keap("Shopify Order #1002", "K1002") with { Total = 30m, AmountPaid = 0m, Status = "SENT" }, later.Keap]).Findings;

        Assert.Equal((0m, Severity.Low, CauseCodes.UnmappedSku), (line.Impact, line.Severity, line.Cause.Code));
        Assert.Equal([Category.StatusMismatch, Category.LineItemsMismatch], all.Select(f => f.Category));
    }

    [Fact]
    public void LineImpact_IsTheNetDifferenceOfTheDifferingLines()
    {
        var finding = Single(Findings(Store(), Keap() with { Lines = [Line(quantity: 3)] }), Category.LineItemsMismatch);

        Assert.Equal(40m, finding.Impact);
    }

    [Fact]
    public void VatAddedTwice_HasCauseTaxCountedTwice()
    {
        // Tax-inclusive total 120.00 with 20.00 VAT inside; Keap added the VAT again.
        var store = Store() with { Total = 120m, Tax = 20m, Shipping = 0m, TaxesIncluded = true, AmountPaid = 120m };
        var keap = Keap() with { Total = 140m, AmountPaid = 140m };

        var finding = Single(Findings(store, keap), Category.AmountMismatch);

        Assert.Equal((CauseCodes.TaxCountedTwice, 20m), (finding.Cause.Code, finding.Impact));
    }

    [Fact]
    public void KeapCopyInThePresentmentCurrency_IsOneExplainedFinding()
    {
        // Shop money 100.00 USD; the buyer paid 92.00 EUR; the connector pushed the EUR amounts and EUR line prices.
        var store = Store() with { PresentmentCurrency = "EUR", PresentmentTotal = 92m };
        var keap = Keap() with { Currency = "EUR", Total = 92m, AmountPaid = 92m, Lines = [Line(unitPrice: 36.8m)] };

        var finding = Assert.Single(Findings(store, keap));

        Assert.Equal((Category.CurrencyMismatch, CauseCodes.PresentmentCurrency, 0m, Severity.Low), (finding.Category, finding.Cause.Code, finding.Impact, finding.Severity));
        // Keap v1 has no currency field: the amount says which money it holds.
        var v1 = Assert.Single(Findings(store, keap with { Currency = null }));
        Assert.Equal((Category.CurrencyMismatch, CauseCodes.PresentmentCurrency), (v1.Category, v1.Cause.Code));
    }

    [Fact]
    public void KeapCopyInThePresentmentCurrency_WithAnotherAmount_PutsTheDifferenceInShopMoneyAtStake()
    {
        var store = Store() with { PresentmentCurrency = "EUR", PresentmentTotal = 80m };

        var finding = Assert.Single(Findings(store, Keap() with { Currency = "EUR", Total = 60m, AmountPaid = 60m }));

        Assert.Equal((Category.CurrencyMismatch, 25m, Severity.Medium), (finding.Category, finding.Impact, finding.Severity));
    }

    [Fact]
    public void KeapCopyInAnUnrelatedCurrency_IsOneCurrencyMismatch_ImpactInTheStoresCurrency()
    {
        var finding = Assert.Single(Findings(Store() with { Currency = "GBP" }, Keap() with { Currency = "USD", Total = 127m, AmountPaid = 127m }));

        Assert.Equal((Category.CurrencyMismatch, 100m, "GBP"), (finding.Category, finding.Impact, finding.Currency));
    }

    [Theory]
    [InlineData("partially_paid", 40, "PAID", 100, 60)]
    [InlineData("paid", 100, "SENT", 60, 40)]
    [InlineData("partially_refunded", 100, "PAID", 100, 30)]
    public void PaymentStateDifference_PutsTheMoneyTheOtherSideLacksAtStake(string storeStatus, decimal storePaid, string keapStatus, decimal keapPaid, decimal impact)
    {
        var store = Store() with { Status = storeStatus, AmountPaid = storePaid, AmountRefunded = storeStatus == "partially_refunded" ? 30m : 0m };

        var finding = Single(Findings(store, Keap() with { Status = keapStatus, AmountPaid = keapPaid }), Category.StatusMismatch);

        Assert.Equal(impact, finding.Impact);
    }

    [Theory]
    // One state on both sides, other money: Shopify 250 of 300 paid, Keap 100 of 300.
    [InlineData("partially_paid", 300, 250, 0, "SENT", 300, 100, 0, 150, CauseCodes.PaymentNotRecorded)]
    // The store refunded 60 in two refunds, Keap shows the first 10 only.
    [InlineData("partially_refunded", 100, 100, 60, "PAID", 100, 100, 10, 50, CauseCodes.RefundNotPropagated)]
    // A refund of 10 on an order whose Keap copy also lacks 18 of tax and shipping: 10 at stake, not 8 or 28.
    [InlineData("partially_refunded", 118, 118, 10, "PAID", 100, 100, 0, 10, CauseCodes.RefundNotPropagated)]
    // Refunded in full against a partial refund in Keap.
    [InlineData("refunded", 100, 100, 100, "PAID", 100, 100, 20, 80, CauseCodes.RefundNotPropagated)]
    public void PaymentDifference_IsTheMoneyPaidOrRefundedTheOtherSideLacks(string storeStatus, decimal storeTotal, decimal storePaid, decimal storeRefunded,
        string keapStatus, decimal keapTotal, decimal keapPaid, decimal keapRefunded, decimal impact, string cause)
    {
        var store = Store() with { Status = storeStatus, Total = storeTotal, AmountPaid = storePaid, AmountRefunded = storeRefunded };
        var keap = Keap() with { Status = keapStatus, Total = keapTotal, AmountPaid = keapPaid, AmountRefunded = keapRefunded };

        var finding = Single(Findings(store, keap), Category.StatusMismatch);

        Assert.Equal((impact, cause), (finding.Impact, finding.Cause.Code));
    }

    [Fact]
    public void CancelledAfterAFullRefund_AgainstAKeapCopyRefundedInFull_IsNoPaymentDifference()
    {
        // A BigCommerce order cancelled (status 5) after its payment was given back; Keap recorded the refund: the same money.
        var store = Store() with { Status = "cancelled", AmountPaid = 100m, AmountRefunded = 100m };
        var keap = Keap() with { Status = "PAID", AmountPaid = 100m, AmountRefunded = 100m };

        Assert.Empty(Findings(store, keap));
        // Cancelled with the money kept is still a difference from a refunded copy.
        Assert.Equal(100m, Single(Findings(store with { AmountRefunded = 0m }, keap), Category.StatusMismatch).Impact);
    }

    [Fact]
    public void CancelledWithAPartialRefund_AgainstAKeapCopyPartiallyRefunded_IsNoPaymentDifference()
    {
        // A Shopify order cancelled (cancelled_at) with 90 of its 100 refunded and 10 kept; Keap records the 90 refund: the same money.
        var store = Store() with { Status = "cancelled", AmountPaid = 100m, AmountRefunded = 90m };
        var keap = Keap() with { Status = "PAID", AmountPaid = 100m, AmountRefunded = 90m };

        Assert.Empty(Findings(store, keap));
        // Another refund in Keap is still a difference, of the money given back.
        var other = Single(Findings(store, keap with { AmountRefunded = 60m }), Category.StatusMismatch);
        Assert.Equal((30m, CauseCodes.RefundNotPropagated), (other.Impact, other.Cause.Code));
    }

    [Fact]
    public void UnpaidOnBothSides_WithOtherTotals_IsNoPaymentDifference()
    {
        // An edit took 15.00 off the unpaid store order after the sync: the totals differ, the payment does not.
        var findings = Findings(Store() with { Status = "pending", Total = 85m, AmountPaid = 0m }, Keap() with { Status = "SENT", AmountPaid = 0m });

        Assert.Equal(Category.AmountMismatch, Assert.Single(findings).Category);
    }

    [Fact]
    public void FeeLineNotInKeap_ExplainsTheAmount()
    {
        var store = Store() with { Total = 105m, AmountPaid = 105m, Lines = [Line(), Line(null, 1, 5m, name: "Cash on delivery fee", kind: LineKind.Fee)] };

        var findings = Findings(store, Keap());

        Assert.All(findings, f => Assert.Equal(CauseCodes.TaxOrShippingNotSynced, f.Cause.Code));
        Assert.Equal([Category.AmountMismatch, Category.LineItemsMismatch], findings.Select(f => f.Category).Order());
    }

    [Fact]
    public void PaymentInOneState_WithTheSameMoney_IsNotADifference()
    {
        // Keap's copy lacks tax and shipping but both are paid in full: the amount finding says it all.
        var findings = Findings(Store() with { Total = 118m, AmountPaid = 118m }, Keap() with { Total = 100m, AmountPaid = 100m });

        Assert.Equal(Category.AmountMismatch, Assert.Single(findings).Category);
    }

    [Fact]
    public void StoreCancelledBeforePayment_AgainstAnOpenKeapInvoice_PutsNoMoneyAtStake()
    {
        var finding = Single(Findings(Store() with { Status = "voided", AmountPaid = 0m }, Keap() with { Status = "SENT", AmountPaid = 0m }), Category.StatusMismatch);

        Assert.Equal((CauseCodes.RefundNotPropagated, 0m, Severity.Low), (finding.Cause.Code, finding.Impact, finding.Severity));
    }

    [Fact]
    public void EditAfterTheSync_ExplainsTheAmountDifference()
    {
        var store = Store() with
        {
            Total = 88m, AmountPaid = 88m, UpdatedAt = T0.AddHours(5),
            Lines = [Line(), Line("MUG", 0, 12m) with { OriginalQuantity = 1 }],
        };
        var keap = Keap() with { CreatedAt = T0.AddMinutes(2), Lines = [Line(), Line("MUG", 1, 12m)] };

        var finding = Single(Findings(store, keap), Category.AmountMismatch);

        Assert.Equal(CauseCodes.EditedAfterSync, finding.Cause.Code);
    }
}
