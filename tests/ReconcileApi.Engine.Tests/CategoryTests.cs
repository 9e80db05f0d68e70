using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

public sealed class CategoryTests
{
    static readonly Dictionary<string, (CanonicalOrder? Store, CanonicalOrder? Keap, Category Expected, string Key)> Cases = new()
    {
        ["store order without Keap twin"] = (Store(), null, Category.MissingInKeap, "1001"),
        ["Keap order without store twin"] = (null, Keap(), Category.MissingInStore, "1001"),
        ["Keap total lacks tax and shipping"] = (Store(), Keap() with { Total = 80m, AmountPaid = 80m }, Category.AmountMismatch, "1001"),
        ["other currency"] = (Store(), Keap() with { Currency = "EUR" }, Category.CurrencyMismatch, "1001"),
        ["store refunded, Keap paid"] = (Store() with { Status = "refunded", AmountRefunded = 100m }, Keap(), Category.StatusMismatch, "1001"),
        ["other email"] = (Store(), Keap() with { CustomerEmail = "robert@example.com" }, Category.EmailMismatch, "1001"),
        ["dates two days apart"] = (Store(), Keap(date: T0.AddHours(50)), Category.DateMismatch, "1001"),
        ["other quantity"] = (Store(), Keap() with { Lines = [Line(quantity: 3)] }, Category.LineItemsMismatch, "1001"),
        ["store order without number"] = (Store(number: null), Keap(), Category.ProbableMatch, "1001"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Reconcile_ReportsExactlyTheExpectedCategory(string name)
    {
        var (store, keap, expected, key) = Cases[name];

        var findings = Findings(store, keap);

        var finding = Assert.Single(findings);
        Assert.Equal(expected, finding.Category);
        Assert.Equal(key, finding.OrderKey);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Duplicate_ReportsTheYoungerRecordAsExtra_OnEitherSide(bool inStore)
    {
        var (s, k) = (Store(), Keap());
        var store = inStore ? new[] { s with { OrderId = "S1001b", OrderDate = T0.AddMinutes(2) }, s } : [s];
        var keap = inStore ? new[] { k } : [k with { OrderId = "K1001b", OrderDate = T0.AddMinutes(3) }, k];

        var finding = Assert.Single(Reconcile(store, keap).Findings);

        Assert.Equal(inStore ? Category.DuplicateInStore : Category.DuplicateInKeap, finding.Category);
        Assert.Equal(inStore ? "S1001b" : "K1001b", finding.DuplicateOrderId);
        Assert.Equal(inStore ? "DuplicateInStore|1001|S1001b" : "DuplicateInKeap|1001|K1001b", finding.IdentityKey);
        Assert.Equal("remove_duplicate", finding.SuggestedAction.Code);
        Assert.Equal(inStore ? "S1001b" : "K1001b", finding.SuggestedAction.Values["orderId"]);
    }

    [Fact]
    public void Duplicate_ReportsOneFindingPerExtraRecord_AndTheOldestPairs()
    {
        var store = new[] { Store(), Store(id: "S2", date: T0.AddMinutes(5)), Store(id: "S3", date: T0.AddMinutes(9)) };

        var result = Reconcile(store, [Keap()]);

        Assert.Equal(["S2", "S3"], result.Findings.Select(f => f.DuplicateOrderId).Order());
        Assert.All(result.Findings, f => Assert.Equal("S1001", f.StoreOrderId));
        Assert.Equal(1, result.Matched);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Duplicate_ThePairIsTheRecordThatAgreesWithTheOtherSide_NotTheOldest(bool inStore)
    {
        // An edit re-synced as a new record: the first copy (80) is stale, the later one (100) matches the other side.
        var stale = inStore ? Store() with { Total = 80m } : Keap() with { Total = 80m };
        var current = inStore ? Store(id: "S1001b", date: T0.AddDays(2)) : Keap(id: "K1001b", date: T0.AddDays(2));
        var (store, keap) = inStore ? (new[] { stale, current }, new[] { Keap() }) : ([Store()], new[] { stale, current });

        var findings = Reconcile(store, keap, ReconcileSettings.Default with { DateToleranceHours = 72 }).Findings;

        var duplicate = Assert.Single(findings);
        Assert.Equal(stale.OrderId, duplicate.DuplicateOrderId);
        Assert.Equal(stale.OrderId, duplicate.SuggestedAction.Values["orderId"]);
    }

    [Fact]
    public void Duplicate_OfAKeapCopyMadeBeforeTheStoresEdit_SaysSo()
    {
        var store = Store() with { UpdatedAt = T0.AddDays(2) };
        var stale = Keap() with { Total = 80m, CreatedAt = T0.AddMinutes(1) };
        var current = Keap(id: "K1001b", date: T0.AddMinutes(2)) with { CreatedAt = T0.AddDays(2).AddMinutes(5) };

        var duplicate = Assert.Single(Reconcile([store], [stale, current]).Findings);

        Assert.Equal(CauseCodes.EditedAfterSync, duplicate.Cause.Code);
        Assert.Equal("K1001", duplicate.DuplicateOrderId);
    }

    [Fact]
    public void Pair_ReportsOneFindingPerCategory_WhenEverythingDiffers()
    {
        var keap = Keap(date: T0.AddHours(50)) with
        {
            Total = 80m, Status = "DRAFT", AmountPaid = 0m, CustomerEmail = "x@example.com", Lines = [Line(quantity: 1)],
        };

        var findings = Findings(Store(), keap);

        Assert.Equal(
            [Category.AmountMismatch, Category.StatusMismatch, Category.EmailMismatch, Category.DateMismatch, Category.LineItemsMismatch],
            findings.Select(f => f.Category).Order());
    }

    [Fact]
    public void Pair_InAnotherCurrency_IsOneCurrencyMismatch_AndNoAmountIsSubtracted()
    {
        var keap = Keap() with { Total = 80m, Currency = "EUR", Lines = [Line(quantity: 1, unitPrice: 30m)] };

        var findings = Findings(Store(), keap);

        Assert.Equal([Category.CurrencyMismatch, Category.LineItemsMismatch], findings.Select(f => f.Category).Order());
        Assert.Equal(LineComparison.Quantity, Assert.Single(Single(findings, Category.LineItemsMismatch).LineDifferences).Kind);
    }

    /// <summary>
    /// An accent typed as one letter on one side and as a letter and a combining mark on the other is one SKU or product name
    /// when lines are compared, as it is in their fingerprint: a quantity difference on such a line is that, not the line
    /// missing on one side and extra on the other.
    /// </summary>
    [Theory]
    [InlineData("CAF\u00c9-MUG", "CAFE\u0301-MUG", null, null)]
    [InlineData(null, null, "Caf\u00e9 Mug", "Cafe\u0301 mug")]
    public void ALineWhoseSkuOrNameIsTypedWithAComposedAccentOnOneSide_PairsWithItsDecomposedTwin(string? storeSku, string? keapSku, string? storeName, string? keapName)
    {
        (storeSku, keapSku, storeName, keapName) = (Unescape(storeSku), Unescape(keapSku), Unescape(storeName) ?? "Mug", Unescape(keapName) ?? "Mug");
        var store = Store() with { Lines = [Line(sku: storeSku, name: storeName, quantity: 2, unitPrice: 40m)] };
        var keap = Keap() with { Lines = [Line(sku: keapSku, name: keapName, quantity: 1, unitPrice: 40m)] };

        var finding = Single(Findings(store, keap), Category.LineItemsMismatch);

        Assert.Equal([LineComparison.Quantity], finding.LineDifferences.Select(d => d.Kind));

        static string? Unescape(string? s) => s is null ? null : System.Text.RegularExpressions.Regex.Unescape(s);
    }

    [Theory]
    [InlineData("#1001", "Shopify Order #1001")]
    [InlineData("1001", "Shopify Order #1001")]
    [InlineData("#1001", "1001")]
    [InlineData(" #1001 ", "WooCommerce order 1001")]
    [InlineData("#AB-12", "Shopify Order #ab-12")]
    public void DefaultKeyPattern_PairsTheSameReference_WrittenDifferently(string storeNumber, string keapNumber)
    {
        var result = Reconcile([Store(storeNumber)], [Keap(keapNumber)]);

        Assert.Empty(result.Findings);
        Assert.Equal(1, result.Matched);
    }

    [Theory]
    [InlineData(" BOB@Example.com ")]
    [InlineData("bob@EXAMPLE.COM")]
    public void Email_IsNotADiscrepancy_WhenOnlyCaseOrSpaceDiffer(string keapEmail) =>
        Assert.Empty(Findings(Store(), Keap() with { CustomerEmail = keapEmail }));

    [Fact]
    public void Lines_OfIgnoredKinds_AndLineOrder_DoNotMatter()
    {
        var store = Store() with { Lines = [Line("A", 1, 10m), Line("B", 2, 5m), Line(null, 1, 3m, name: "Tax", kind: LineKind.Tax)] };
        var keap = Keap() with { Lines = [Line(" b ", 2, 5m), Line("a", 1, 10m), Line(null, 1, 9m, name: "Shipping", kind: LineKind.Shipping)] };

        Assert.Empty(Findings(store, keap));
    }

    [Fact]
    public void Lines_ListMissingExtraQuantityAndPriceDifferences()
    {
        var store = Store() with { Lines = [Line("A", 1, 10m), Line("B", 2, 5m), Line("C", 1, 7m)] };
        var keap = Keap() with { Lines = [Line("A", 3, 10m), Line("B", 2, 6m), Line("D", 1, 1m)] };

        var finding = Single(Findings(store, keap), Category.LineItemsMismatch);

        Assert.Equal(
            [("A", "quantity"), ("B", "unit_price"), ("C", "missing"), ("D", "extra")],
            finding.LineDifferences.Select(d => (d.Line, d.Kind)));
        Assert.Equal(new LineDifference("A", "quantity", 1, 3, 10m, 10m), finding.LineDifferences[0]);
    }

    [Fact]
    public void Lines_WithoutSku_ArePairedByName_ThenByQuantityAndPrice_NeverByProductId()
    {
        // Product ids are each system's own: 632910392 in the store is 17 in Keap.
        var store = Store() with { Lines = [Line("", 1, 10m, productId: "632910392", name: "Tee - Black / M"), Line(null, 1, 5m, productId: "632910393", name: "Gift card")] };
        var keap = Keap() with { Lines = [Line(" ", 1, 5m, productId: "17", name: "gift card"), Line(null, 1, 10m, productId: "18", name: "tee black m")] };

        Assert.Empty(Findings(store, keap));
        // A Keap item without SKU under another name, at the same quantity and price, is the same line.
        Assert.Empty(Findings(store, keap with { Lines = [Line(null, 1, 10m, name: "Premium tee"), Line(null, 1, 5m, name: "Voucher")] }));
    }

    [Fact]
    public void Lines_WithTheSameProductId_ButOtherNameAndPrice_AreDifferentLines()
    {
        var store = Store() with { Lines = [Line(null, 1, 10m, productId: "P1", name: "Tee")] };
        var keap = Keap() with { Lines = [Line(null, 1, 25m, productId: "P1", name: "Hoodie")] };

        var finding = Single(Findings(store, keap), Category.LineItemsMismatch);

        Assert.Equal([("Hoodie", "extra"), ("Tee", "missing")], finding.LineDifferences.Select(d => (d.Line, d.Kind)));
    }

    [Fact]
    public void Lines_UseTheSkuMap_ForStoreSkus()
    {
        var settings = ReconcileSettings.Default with { SkuMap = new Dictionary<string, string> { ["TEE-BLK-M"] = "KEAP-TEE" } };

        Assert.Empty(Reconcile([Store()], [Keap() with { Lines = [Line("keap-tee")] }], settings).Findings);
    }

    [Theory]
    [InlineData(0.01, 0, 100.01, false)]
    [InlineData(0.01, 0, 100.02, true)]
    [InlineData(0.01, 1, 100.90, false)]
    [InlineData(0.01, 1, 101.10, true)]
    public void Amount_IsComparedWithAbsoluteAndPercentTolerance(decimal absolute, decimal percent, decimal keapTotal, bool mismatch)
    {
        var settings = ReconcileSettings.Default with { AmountTolerance = absolute, AmountTolerancePercent = percent };

        var findings = Findings(Store(), Keap() with { Total = keapTotal, AmountPaid = keapTotal }, settings);

        Assert.Equal(mismatch, findings.Any(f => f.Category == Category.AmountMismatch));
    }

    [Fact]
    public void UnspecifiedDates_AreReadInTheSettingsTimezone()
    {
        var settings = ReconcileSettings.Default with { Timezone = "America/New_York", DateToleranceHours = 1 };
        // 08:00 in New York on 1 Oct 2026 (EDT, UTC-4) is 12:00 UTC.
        var store = Store() with { OrderDate = new DateTime(2026, 10, 1, 8, 0, 0, DateTimeKind.Unspecified) };

        Assert.Empty(Findings(store, Keap(date: T0), settings));
        Assert.Single(Findings(store, Keap(date: T0), ReconcileSettings.Default with { DateToleranceHours = 1 }), f => f.Category == Category.DateMismatch);
    }

    [Fact]
    public void Fuzzy_DoesNotPair_WhenDisabled()
    {
        var findings = Findings(Store(number: null), Keap(), ReconcileSettings.Default with { FuzzyMatching = false });

        Assert.Equal([Category.MissingInKeap, Category.MissingInStore], findings.Select(f => f.Category).Order());
        Assert.Contains(findings, f => f.OrderKey == "store-id:S1001");
    }

    [Fact]
    public void Fuzzy_DoesNotPair_WhenTwoCandidatesScoreTheSame()
    {
        var later = LaterPair();
        var result = Reconcile([Store(number: null), later.Store], [Keap(), Keap("Shopify Order #1002", "K1002"), later.Keap]);

        Assert.DoesNotContain(result.Findings, f => f.Category == Category.ProbableMatch);
    }

    [Fact]
    public void Fuzzy_PairsEachOrderByItsDate_WhenThousandsShareOneEmail()
    {
        // A store whose point-of-sale orders all carry one placeholder email, against Keap copies whose titles hold no
        // order number: every order is in one email block, and each pairs with the copy of its own hour.
        const int n = 30_000;
        var store = new List<CanonicalOrder>();
        var keap = new List<CanonicalOrder>();
        for (var i = 0; i < n; i++)
        {
            var at = T0.AddHours(i * 3);
            var total = 10m + i % 7;
            store.Add(Store(number: $"#{5000 + i}", id: $"S{i}", date: at) with { CustomerEmail = "pos@example.com", Total = total, AmountPaid = total, Lines = [] });
            keap.Add(Keap(number: "Order from the shop", id: $"K{i}", date: at.AddMinutes(2)) with { CustomerEmail = "POS@example.com ", Total = total, AmountPaid = total, Lines = [] });
        }
        var result = Reconcile(store, keap);

        var probable = result.Findings.Where(f => f.Category == Category.ProbableMatch).ToList();
        Assert.Equal(n, probable.Count);
        Assert.All(probable, p => Assert.Equal(p.StoreOrderId![1..], p.KeapOrderId![1..]));
        Assert.DoesNotContain(result.Findings, f => f.Category is Category.MissingInKeap or Category.MissingInStore);
    }

    [Fact]
    public void Fuzzy_InALargeEmailBlock_StillPairsUndatedOrdersWithDatedOnes()
    {
        // Past the size scanned whole, a block is searched by date; an order without a date is a candidate of every order.
        var store = new List<CanonicalOrder>();
        var keap = new List<CanonicalOrder>();
        for (var i = 0; i < 100; i++)
        {
            var at = T0.AddDays(i);
            store.Add(Store(number: $"#{7000 + i}", id: $"S{i}", date: at) with { CustomerEmail = "pos@example.com", Total = 10m + i, AmountPaid = 10m + i, Lines = [] });
            keap.Add(Keap(number: null, id: $"K{i}", date: at) with { CustomerEmail = "pos@example.com", Total = 10m + i, AmountPaid = 10m + i, Lines = [] });
        }
        store.Add(Store(number: "#7999", id: "S-dated", date: T0.AddDays(400)) with { CustomerEmail = "pos@example.com", Total = 999m, AmountPaid = 999m, Lines = [] });
        keap.Add(Keap(number: null, id: "K-undated") with { OrderDate = null, CustomerEmail = "pos@example.com", Total = 999m, AmountPaid = 999m, Lines = [] });
        store.Add(Store(number: "#7998", id: "S-undated") with { OrderDate = null, CustomerEmail = "pos@example.com", Total = 555m, AmountPaid = 555m, Lines = [] });
        keap.Add(Keap(number: null, id: "K-dated", date: T0.AddDays(50).AddHours(6)) with { CustomerEmail = "pos@example.com", Total = 555m, AmountPaid = 555m, Lines = [] });

        var probable = Reconcile(store, keap).Findings.Where(f => f.Category == Category.ProbableMatch).ToDictionary(f => f.StoreOrderId!, f => f.KeapOrderId);

        Assert.Equal(102, probable.Count);
        Assert.Equal("K-undated", probable["S-dated"]);
        Assert.Equal("K-dated", probable["S-undated"]);
    }

    [Fact]
    public void Fuzzy_PairsTheBestCandidate_AndComparesThePair()
    {
        var later = LaterPair();
        var store = Store(number: "#1001x") with { Total = 101m, AmountPaid = 101m };

        var result = Reconcile([store, later.Store], [Keap(), Keap("Shopify Order #1002", "K1002", T0.AddHours(20)), later.Keap]);

        var probable = Single(result.Findings, Category.ProbableMatch);
        Assert.Equal("K1001", probable.KeapOrderId);
        Assert.InRange(probable.MatchScore!.Value, 0.8, 1.0);
        Assert.Equal("review", probable.SuggestedAction.Code);
        Assert.Contains("references differ", probable.Cause.Explanation);
        Assert.Single(result.Findings, f => f.Category == Category.AmountMismatch && f.KeapOrderId == "K1001");
        Assert.Single(result.Findings, f => f.Category == Category.MissingInStore && f.KeapOrderId == "K1002");
    }
}
