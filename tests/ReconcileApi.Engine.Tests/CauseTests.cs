using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

public sealed class CauseTests
{
    static readonly ReconcileSettings TightDates = ReconcileSettings.Default with { DateToleranceHours = 1 };

    static readonly Dictionary<string, (CanonicalOrder Store, CanonicalOrder Keap, ReconcileSettings Settings, Category Category, string Cause)> Cases = new()
    {
        ["AmountMismatch_HasCauseTaxOrShippingNotSynced_WhenDifferenceEqualsTaxPlusShipping"] =
            (Store(), Keap() with { Total = 80m }, ReconcileSettings.Default, Category.AmountMismatch, CauseCodes.TaxOrShippingNotSynced),
        ["AmountMismatch_HasCauseTaxOrShippingNotSynced_WhenDifferenceEqualsTax"] =
            (Store(), Keap() with { Total = 88m }, ReconcileSettings.Default, Category.AmountMismatch, CauseCodes.TaxOrShippingNotSynced),
        ["AmountMismatch_HasCauseTaxOrShippingNotSynced_WhenDifferenceEqualsShipping"] =
            (Store(), Keap() with { Total = 92m }, ReconcileSettings.Default, Category.AmountMismatch, CauseCodes.TaxOrShippingNotSynced),
        ["AmountMismatch_HasCauseDiscountNotSynced_WhenKeapExceedsStoreByTheDiscount"] =
            (Store() with { Discount = 15m, Total = 85m }, Keap() with { Total = 100m }, ReconcileSettings.Default, Category.AmountMismatch, CauseCodes.DiscountNotSynced),
        ["AmountMismatch_HasCauseRounding_WhenDifferenceIsAFewCents"] =
            (Store(), Keap() with { Total = 100.02m }, ReconcileSettings.Default, Category.AmountMismatch, CauseCodes.Rounding),
        ["AmountMismatch_HasCauseUnknown_WhenNoRuleExplainsIt"] =
            (Store(), Keap() with { Total = 63.50m }, ReconcileSettings.Default, Category.AmountMismatch, CauseCodes.Unknown),
        ["DateMismatch_HasCauseTimezoneShift_WhenDatesAreWholeHoursApart"] =
            (Store(), Keap(date: T0.AddHours(-5)), TightDates, Category.DateMismatch, CauseCodes.TimezoneShift),
        ["DateMismatch_HasCauseSyncLag_WhenKeapIsStampedLater"] =
            (Store(), Keap(date: T0.AddHours(30.5)), TightDates, Category.DateMismatch, CauseCodes.SyncLag),
        ["DateMismatch_HasCauseMidnightStamp_WhenKeapIsMidnightUtcOfTheStoreOrdersDay"] =
            (Store(date: T0.AddMinutes(17)), Keap(date: T0.Date), TightDates, Category.DateMismatch, CauseCodes.MidnightStamp),
        ["DateMismatch_HasCauseMidnightStamp_WhenKeapIsMidnightOfTheStoreOrdersDayInTheWorkspaceZone"] =
            (Store(date: new DateTime(2026, 10, 20, 19, 20, 0, DateTimeKind.Utc)), Keap(date: new DateTime(2026, 10, 20, 4, 0, 0, DateTimeKind.Utc)),
                TightDates with { Timezone = "America/New_York" }, Category.DateMismatch, CauseCodes.MidnightStamp),
        ["DateMismatch_HasCauseUnknown_WhenKeapIsMidnightUtcButTheWorkspaceZoneIsAnother"] =
            (Store(date: new DateTime(2026, 10, 20, 19, 20, 0, DateTimeKind.Utc)), Keap(date: new DateTime(2026, 10, 20, 4, 30, 0, DateTimeKind.Utc)),
                TightDates with { Timezone = "America/New_York" }, Category.DateMismatch, CauseCodes.Unknown),
        ["DateMismatch_HasCauseUnknown_WhenKeapIsMidnightOfAnEarlierDay"] =
            (Store(date: T0.AddMinutes(17)), Keap(date: T0.Date.AddDays(-1)), TightDates, Category.DateMismatch, CauseCodes.Unknown),
        ["DateMismatch_HasCauseUnknown_WhenKeapIsEarlierByOddHours"] =
            (Store(), Keap(date: T0.AddHours(-30.5)), TightDates, Category.DateMismatch, CauseCodes.Unknown),
        ["StatusMismatch_HasCauseRefundNotPropagated_WhenStoreRefundedAndKeapPaid"] =
            (Store() with { Status = "refunded", AmountRefunded = 100m }, Keap(), ReconcileSettings.Default, Category.StatusMismatch, CauseCodes.RefundNotPropagated),
        ["StatusMismatch_HasCauseRefundNotPropagated_WhenStoreCancelledAndKeapPaid"] =
            (Store() with { Status = "cancelled" }, Keap(), ReconcileSettings.Default, Category.StatusMismatch, CauseCodes.RefundNotPropagated),
        ["StatusMismatch_HasCausePaymentNotRecorded_WhenStorePaidAndKeapUnpaid"] =
            (Store(), Keap() with { Status = "SENT", AmountPaid = 0m }, ReconcileSettings.Default, Category.StatusMismatch, CauseCodes.PaymentNotRecorded),
        ["StatusMismatch_HasCauseUnknown_WhenStoreFailedAndKeapPaid"] =
            (Store() with { Status = "failed" }, Keap(), ReconcileSettings.Default, Category.StatusMismatch, CauseCodes.Unknown),
        ["LineItemsMismatch_HasCauseUnmappedSku_WhenKeapHasAnotherSkuForTheLine"] =
            (Store(), Keap() with { Lines = [Line("KEAP-TEE")] }, ReconcileSettings.Default, Category.LineItemsMismatch, CauseCodes.UnmappedSku),
        ["LineItemsMismatch_HasCauseUnmappedSku_WhenKeapHasOneProductForTheStoresVariantsWithoutSkus"] =
            (Store() with { Lines = [Line(null, 1, name: "Tee – Color: Black"), Line(null, 1, name: "Tee – Color: White")] },
                Keap() with { Lines = [Line(null, 2, name: "Tee")] }, ReconcileSettings.Default, Category.LineItemsMismatch, CauseCodes.UnmappedSku),
        ["LineItemsMismatch_HasCauseUnknown_WhenTheVariantsAreNotAsManyUnitsAsTheKeapProduct"] =
            (Store() with { Lines = [Line(null, 1, name: "Tee – Color: Black"), Line(null, 1, name: "Tee – Color: White")] },
                Keap() with { Lines = [Line(null, 3, name: "Tee")] }, ReconcileSettings.Default, Category.LineItemsMismatch, CauseCodes.Unknown),
        ["LineItemsMismatch_HasCauseUnknown_WhenTheKeapNameOnlyBeginsAWordOfTheStoreLines"] =
            (Store() with { Lines = [Line(null, 1, name: "Teepee Black"), Line(null, 1, name: "Teepee White")] },
                Keap() with { Lines = [Line(null, 2, name: "Tee")] }, ReconcileSettings.Default, Category.LineItemsMismatch, CauseCodes.Unknown),
        ["LineItemsMismatch_HasCauseUnknown_WhenOnlyQuantitiesDiffer"] =
            (Store(), Keap() with { Lines = [Line(quantity: 5)] }, ReconcileSettings.Default, Category.LineItemsMismatch, CauseCodes.Unknown),
        ["MissingInKeap_HasCauseNotSynced"] =
            (Store(), Keap("Shopify Order #1002", "K1002"), ReconcileSettings.Default with { FuzzyMatching = false }, Category.MissingInKeap, CauseCodes.NotSynced),
        ["MissingInStore_HasCauseCreatedInKeap_WhenKeapOrderHasNoReference"] =
            (Store("#1002", "S1002") with { CustomerEmail = "ann@example.com" }, Keap(number: null), ReconcileSettings.Default, Category.MissingInStore, CauseCodes.CreatedInKeap),
        ["MissingInStore_HasCauseCreatedInKeap_WhenSoldThroughACheckoutFormWhateverItsTitle"] =
            (Store("#1002", "S1002") with { CustomerEmail = "ann@example.com" }, Keap("Online Order #1234") with { SourceType = "CHECKOUT_FORM" },
                ReconcileSettings.Default, Category.MissingInStore, CauseCodes.CreatedInKeap),
        ["MissingInStore_HasCauseUnknown_WhenAPersonTitledAManualPaymentWithAStoreReference"] =
            (Store("#1002", "S1002") with { CustomerEmail = "ann@example.com" }, Keap("Shopify Order #1234") with { SourceType = "MANUAL_PAYMENT" },
                ReconcileSettings.Default, Category.MissingInStore, CauseCodes.Unknown),
        ["ProbableMatch_HasCauseReferenceMismatch"] =
            (Store(number: null), Keap(), ReconcileSettings.Default, Category.ProbableMatch, CauseCodes.ReferenceMismatch),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Cause_IsRecognisedFromTheNumbers(string name)
    {
        var (store, keap, settings, category, cause) = Cases[name];

        var finding = Single(Findings(store, keap, settings), category);

        Assert.Equal(cause, finding.Cause.Code);
        Assert.False(string.IsNullOrWhiteSpace(finding.Cause.Explanation));
    }

    /// <summary>A BigCommerce amount carries four places and a Keap v1 one none: the finding writes both to the currency's minor unit.</summary>
    [Theory]
    [InlineData("USD", "100.00", "80.00", "The Keap total 80.00 is the store total 100.00 less tax 12.00 and shipping 8.00: those lines were not synced to Keap.")]
    [InlineData("JPY", "100", "80", "The Keap total 80 is the store total 100 less tax 12 and shipping 8: those lines were not synced to Keap.")]
    [InlineData("KWD", "100.000", "80.000", "The Keap total 80.000 is the store total 100.000 less tax 12.000 and shipping 8.000: those lines were not synced to Keap.")]
    public void AmountMismatch_WritesItsValuesAndExplanationToTheCurrencysMinorUnit_NotAtTheScaleEachSourceWrote(string currency, string storeValue, string keapValue, string explained)
    {
        var store = Store() with { Currency = currency, Total = 100.0000m, Tax = 12.0000m, Shipping = 8.0000m };

        var finding = Single(Findings(store, Keap() with { Currency = currency, Total = 80m }), Category.AmountMismatch);

        Assert.Equal(explained, finding.Cause.Explanation);
        Assert.Equal((storeValue, keapValue), (finding.StoreValue, finding.KeapValue));
    }

    [Fact]
    public void AmountMismatch_ExplainsWithTheNumbers()
    {
        var finding = Single(Findings(Store(), Keap() with { Total = 80m }), Category.AmountMismatch);

        Assert.Equal("The Keap total 80.00 is the store total 100.00 less tax 12.00 and shipping 8.00: those lines were not synced to Keap.", finding.Cause.Explanation);
        Assert.Equal(20m, finding.Difference);
        Assert.Equal(20m, finding.Impact);
    }

    [Fact]
    public void AmountMismatch_WithTaxInclusivePrices_CountsTheShippingsTaxOnce()
    {
        // A VAT shop: the shipping 8 includes its 1.33 of VAT, which the order's tax 12 counts already.
        var store = Store() with
        {
            TaxesIncluded = true,
            Lines = [Line(), Line(sku: null, name: "Shipping", quantity: 1, unitPrice: 8m, kind: LineKind.Shipping) with { Tax = 1.33m }],
        };

        var finding = Single(Findings(store, Keap() with { Total = 81.33m }), Category.AmountMismatch);

        Assert.Equal(CauseCodes.TaxOrShippingNotSynced, finding.Cause.Code);
        Assert.Equal("The Keap total 81.33 is the store total 100.00 less tax 12.00 and shipping 6.67 before its tax: those lines were not synced to Keap.", finding.Cause.Explanation);
    }

    [Theory]
    [InlineData(92, "less shipping 8.00 and its fees 5.00: those lines")]
    [InlineData(88, "less tax 12.00 and its fees 5.00: those lines")]
    [InlineData(80, "less tax 12.00, shipping 8.00 and its fees 5.00: those lines")]
    [InlineData(100, "less its fees 5.00: the fee lines were")]
    public void AmountMismatch_FeesKeapLacks_CountWithTaxAndShipping(decimal keapTotal, string explained)
    {
        // Handling 5 (BigCommerce) or cash on delivery (WooCommerce): a fee line beside the products.
        var store = Store() with { Total = 105m, Lines = [.. Store().Lines, Line(sku: null, name: "Handling", quantity: 1, unitPrice: 5m, kind: LineKind.Fee)] };

        var finding = Single(Findings(store, Keap() with { Total = keapTotal }), Category.AmountMismatch);

        Assert.Equal(CauseCodes.TaxOrShippingNotSynced, finding.Cause.Code);
        Assert.Contains(explained, finding.Cause.Explanation);
    }

    [Theory]
    [InlineData(108, "less tax 12.00: the tax line was not synced to Keap; nor was its discount 10.00")]
    [InlineData(100, "less tax 12.00 and shipping 8.00: those lines were not synced to Keap; nor was its discount 10.00")]
    public void AmountMismatch_KeapHasTheLinePricesBeforeDiscounts_TaxShippingAndDiscountNotSynced(decimal keapTotal, string explained)
    {
        // As Shopify order 450789469 (3 x 199 - TENOFF 10 + tax 11.94) whose Keap copy got the products at list price only:
        // Keap lacks the tax (and shipping) less the discount.
        var store = Store() with { Total = 110m, Subtotal = 90m, Discount = 10m };

        var finding = Single(Findings(store, Keap() with { Total = keapTotal }), Category.AmountMismatch);

        Assert.Equal(CauseCodes.TaxOrShippingNotSynced, finding.Cause.Code);
        Assert.Contains(explained, finding.Cause.Explanation);
    }

    [Fact]
    public void AmountMismatch_HasCauseDiscountNotSynced_WhenKeapExceedsStoreByTheDiscountWithItsTax()
    {
        // A WooCommerce shop entering prices with 10 % tax: 2 × 22.00 with a 10 % coupon, 4.00 net + 0.40 tax (discount_total,
        // discount_tax); the line's tax 3.60 is after the coupon. Keap has the gross prices and no coupon: 44.00 against 39.60.
        var store = Store() with { Total = 39.60m, Subtotal = 40m, Tax = 3.60m, Shipping = 0m, Discount = 4m, Lines = [Line(quantity: 2, unitPrice: 20m) with { Discount = 4m, LineTotal = 36m, Tax = 3.60m }] };

        var finding = Single(Findings(store, Keap() with { Total = 44m, Lines = [Line(quantity: 2, unitPrice: 22m)] }), Category.AmountMismatch);

        Assert.Equal(CauseCodes.DiscountNotSynced, finding.Cause.Code);
        Assert.Contains("by the discount 4.00 with its tax 0.40", finding.Cause.Explanation);
        // A difference that is the discount and some other amount is not the discount.
        Assert.Equal(CauseCodes.Unknown, Single(Findings(store, Keap() with { Total = 44.90m, Lines = [Line(quantity: 2, unitPrice: 22m)] }), Category.AmountMismatch).Cause.Code);
    }

    [Theory]
    [InlineData(0, 50, CauseCodes.TenderBookedAsDiscount)]
    [InlineData(5, 55, CauseCodes.TenderBookedAsDiscount)]
    [InlineData(0, 40, CauseCodes.Unknown)]
    public void AmountMismatch_KeapLowerByDiscountItemsTheStoreHasNot_IsATenderBookedAsADiscount(decimal storeDiscount, decimal keapDiscount, string cause)
    {
        // A BigCommerce order of 128.00 paid 20.00 by store credit and 30.00 by gift certificate: its total stays 128.00 (the
        // tenders are payments); the Keap copy booked both as DISCOUNT_ORDER_TOTAL items and totals 78.00. Beside a coupon the
        // store has too (5.00), Keap's discount is the coupon and the tenders; a Keap discount that is not the gap explains nothing.
        var store = Store() with { Total = 128m - storeDiscount, Subtotal = 120m, Tax = 0m, Shipping = 8m, Discount = storeDiscount };
        var keap = Keap() with { Total = 78m - storeDiscount, Discount = keapDiscount };

        var finding = Single(Findings(store, keap), Category.AmountMismatch);

        Assert.Equal(cause, finding.Cause.Code);
        if (cause == CauseCodes.TenderBookedAsDiscount)
            Assert.Equal($"The Keap total {78m - storeDiscount:0.00} is the store total {128m - storeDiscount:0.00} less a discount of 50.00 the store order does not have: a gift card, store credit or gift certificate that paid for the order was booked in Keap as a discount.", finding.Cause.Explanation);
    }

    [Theory]
    [InlineData(0, CauseCodes.RetryDuplicate)]
    [InlineData(7, CauseCodes.RetryDuplicate)]
    [InlineData(600, CauseCodes.Unknown)]
    public void Duplicate_HasCauseRetryDuplicate_WhenCreatedMinutesApart(int minutesApart, string cause)
    {
        var copy = Keap() with { OrderId = "K1001b", OrderDate = T0.AddMinutes(1 + minutesApart), Total = 99m };

        var finding = Single(Reconcile([Store()], [Keap(), copy]).Findings, Category.DuplicateInKeap);

        Assert.Equal(cause, finding.Cause.Code);
    }

    [Theory]
    [InlineData("API", "INVOICE", 2 * 24 * 60)]
    [InlineData("API", "MANUAL_PAYMENT", 5)]
    [InlineData("MANUAL_PAYMENT", "API", 5)]
    public void Duplicate_HasCauseCreatedInKeap_WhenOneCopyWasMadeInKeapAndTheOtherNot(string primarySource, string copySource, int minutesApart)
    {
        // Identical copies, but a person entered one in Keap (an invoice, a manual payment): not a retried create.
        var copy = Keap() with { OrderId = "K1001b", OrderDate = T0.AddMinutes(1 + minutesApart), SourceType = copySource };

        var finding = Single(Reconcile([Store()], [Keap() with { SourceType = primarySource }, copy]).Findings, Category.DuplicateInKeap);

        Assert.Equal(CauseCodes.CreatedInKeap, finding.Cause.Code);
        Assert.Equal("K1001b", finding.DuplicateOrderId);
    }

    [Theory]
    [InlineData("API", "API")]
    [InlineData("INVOICE", "INVOICE")]
    [InlineData("API", null)]
    public void Duplicate_HasCauseRetryDuplicate_WhenBothCopiesCameTheSameWay(string? primarySource, string? copySource)
    {
        var copy = Keap() with { OrderId = "K1001b", OrderDate = T0.AddHours(5), SourceType = copySource };

        var finding = Single(Reconcile([Store()], [Keap() with { SourceType = primarySource }, copy]).Findings, Category.DuplicateInKeap);

        Assert.Equal(CauseCodes.RetryDuplicate, finding.Cause.Code);
    }

    [Fact]
    public void Duplicate_HasCauseRetryDuplicate_WhenCopiesAreIdentical_HoursApart()
    {
        var copy = Keap() with { OrderId = "K1001b", OrderDate = T0.AddHours(5) };

        var finding = Single(Reconcile([Store()], [Keap(), copy]).Findings, Category.DuplicateInKeap);

        Assert.Equal(CauseCodes.RetryDuplicate, finding.Cause.Code);
    }
    [Fact]
    public void ACheckoutFormOrder_TitledLikeAStoreReference_IsNotPairedWithTheStoreOrderOfThatNumber()
    {
        // Keap titles its own sales "Online Order #1234" (OrderV2's example): a checkout form is never a connector's copy,
        // so its number is Keap's own and must not pair with store order #1234 (or make the store's Keap copy a duplicate).
        var sold = Keap("Online Order #1234", "K77") with { SourceType = "CHECKOUT_FORM", CustomerEmail = "ann@example.com", Total = 250m, AmountPaid = 250m };
        var copy = Keap("Shopify Order #1234", "K1234");

        var later = LaterPair();

        var findings = Reconcile([Store("#1234", "S1234"), later.Store], [copy, sold, later.Keap]).Findings;

        var made = Assert.Single(findings);
        Assert.Equal(Category.MissingInStore, made.Category);
        Assert.Equal(CauseCodes.CreatedInKeap, made.Cause.Code);
        Assert.Equal("K77", made.KeapOrderId);
        Assert.Equal(0m, made.Impact);
        Assert.NotEqual("1234", made.OrderKey);
    }
}
