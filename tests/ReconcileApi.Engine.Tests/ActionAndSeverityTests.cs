using System.Text.Json;
using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

public sealed class ActionAndSeverityTests
{
    [Fact]
    public void MissingInKeap_SuggestsCreateInKeap_WithWhatKeapNeeds()
    {
        var settings = ReconcileSettings.Default with { SkuMap = new Dictionary<string, string> { ["TEE-BLK-M"] = "KTEE" } };

        var finding = Single(Findings(Store() with { Platform = "shopify" }, null, settings), Category.MissingInKeap);

        Assert.Equal(ActionCodes.CreateInKeap, finding.SuggestedAction.Code);
        Assert.Equal("keap", finding.SuggestedAction.System);
        var v = finding.SuggestedAction.Values;
        Assert.Equal("bob@example.com", v["contactEmail"]);
        Assert.Equal("2026-10-01T12:00:00Z", v["orderDate"]);
        Assert.Equal("Shopify Order #1001", v["orderTitle"]);
        var items = ((IEnumerable<IReadOnlyDictionary<string, object?>>)v["items"]!).Select(i => i.ToDictionary()).ToList();
        // The product lines, then shipping and tax as items of their own: Keap sums its items into the total.
        Assert.Equal(new Dictionary<string, object?> { ["sku"] = "KTEE", ["name"] = "Tee", ["quantity"] = 2m, ["price"] = 40m, ["type"] = "PRODUCT" }, items[0]);
        Assert.Equal([("Shipping", 8m, "SHIPPING"), ("Tax", 12m, "TAX")], items.Skip(1).Select(i => ((string)i["name"]!, (decimal)i["price"]!, (string)i["type"]!)));
        Assert.Equal(100m, items.Sum(i => (decimal)i["quantity"]! * (decimal)i["price"]!));
        var json = JsonSerializer.Serialize(finding, JsonSerializerOptions.Web);
        Assert.Contains("\"orderTitle\":\"Shopify Order #1001\"", json);
        Assert.Contains("{\"sku\":\"KTEE\",\"name\":\"Tee\",\"quantity\":2,\"price\":40,\"type\":\"PRODUCT\"}", json);
    }

    [Fact]
    public void Items_OfATaxInclusiveStore_AreWrittenNetOfTax_WithTheTaxAsAnItem()
    {
        var store = Store() with { TaxesIncluded = true, Total = 96m, Tax = 16m, Shipping = 0m, Lines = [Line(quantity: 2, unitPrice: 48m) with { Tax = 16m }] };

        var finding = Single(Findings(store, null), Category.MissingInKeap);

        var items = ((IEnumerable<IReadOnlyDictionary<string, object?>>)finding.SuggestedAction.Values["items"]!).ToList();
        Assert.Equal([(40m, "PRODUCT"), (16m, "TAX")], items.Select(i => ((decimal)i["price"]!, (string)i["type"]!)));
    }

    [Fact]
    public void Items_OfATaxInclusiveStore_WithAnUntaxedCharge_StillAddUpToTheTotal()
    {
        // A VAT shop's order with duties (or a tip): a fee line on which no tax is stated. The products are written net with the
        // tax as an item; the charge at its price: 2 × 40 + 16 tax + 15 duties = 111.
        var store = Store() with
        {
            TaxesIncluded = true, Total = 111m, Tax = 16m, Shipping = 0m,
            Lines = [Line(quantity: 2, unitPrice: 48m) with { Tax = 16m }, Line(null, 1, 15m, name: "Duties", kind: LineKind.Fee)],
        };

        var finding = Single(Findings(store, null), Category.MissingInKeap);

        var items = ((IEnumerable<IReadOnlyDictionary<string, object?>>)finding.SuggestedAction.Values["items"]!).ToList();
        Assert.Equal([(40m, "PRODUCT"), (15m, "FEE"), (16m, "TAX")], items.Select(i => ((decimal)i["price"]!, (string)i["type"]!)));
        Assert.Equal(111m, items.Sum(i => (decimal)i["quantity"]! * (decimal)i["price"]!));
    }

    [Fact]
    public void Items_OfATaxInclusiveStore_WriteTheShippingNetOfItsTax_WhichTheTaxItemHolds()
    {
        // A VAT shop: shipping rates include tax as the prices do (Shopify's shipping line 6.00 with 1.00 VAT in its tax_lines); the
        // order's tax 5.00 holds the shipping's 1.00, so the shipping item is 5.00: 2 × 10 + 5 + 5 = 30.
        var store = Store() with
        {
            TaxesIncluded = true, Total = 30m, Tax = 5m, Shipping = 6m,
            Lines = [Line(quantity: 2, unitPrice: 12m) with { Tax = 4m }, Line(null, 1, 6m, name: "Standard", kind: LineKind.Shipping) with { Tax = 1m }],
        };

        var finding = Single(Findings(store, null), Category.MissingInKeap);

        var items = ((IEnumerable<IReadOnlyDictionary<string, object?>>)finding.SuggestedAction.Values["items"]!).ToList();
        Assert.Equal([(10m, "PRODUCT"), (5m, "SHIPPING"), (5m, "TAX")], items.Select(i => ((decimal)i["price"]!, (string)i["type"]!)));
    }

    [Theory]
    [InlineData("woocommerce", null, "WooCommerce Order #1001")]
    [InlineData("bigcommerce", null, "BigCommerce Order #1001")]
    [InlineData(null, null, "Order #1001")]
    [InlineData("woocommerce", "My Shop", "My Shop Order #1001")]
    public void CreateInKeap_TitleNamesTheOrdersPlatform_OrTheConfiguredStoreName(string? platform, string? storeName, string title)
    {
        var finding = Single(Findings(Store() with { Platform = platform }, null, ReconcileSettings.Default with { StoreName = storeName }), Category.MissingInKeap);

        Assert.Equal(title, finding.SuggestedAction.Values["orderTitle"]);
        // The title reads back as the order's reference under the default Keap pattern.
        Assert.Equal("1001", new OrderKeyPattern(ReconcileSettings.DefaultKeapKeyPattern).Extract(title));
    }

    [Fact]
    public void CreateInKeap_WritesNoItems_WhenTheStoreOrderHasNoLines()
    {
        var finding = Single(Findings(Store() with { Lines = [] }, null), Category.MissingInKeap);

        Assert.False(finding.SuggestedAction.Values.ContainsKey("items"));
        Assert.Equal(100m, finding.SuggestedAction.Values["total"]);
    }

    [Fact]
    public void MissingInStore_SuggestsCreateInStore()
    {
        var finding = Single(Findings(null, Keap()), Category.MissingInStore);

        Assert.Equal((ActionCodes.CreateInStore, "store"), (finding.SuggestedAction.Code, finding.SuggestedAction.System));
    }

    [Theory]
    [InlineData("total", OrderSource.Store, ActionCodes.UpdateKeap, "K1001", 100)]
    [InlineData("total", OrderSource.Keap, ActionCodes.UpdateStore, "S1001", 80)]
    public void FieldMismatch_SuggestsWritingTheSourceOfTruthValue(string field, OrderSource truth, string code, string target, decimal value)
    {
        var settings = ReconcileSettings.Default with { SourceOfTruth = new Dictionary<string, OrderSource> { [field] = truth } };

        var finding = Single(Findings(Store(), Keap() with { Total = 80m }, settings), Category.AmountMismatch);

        Assert.Equal(code, finding.SuggestedAction.Code);
        Assert.Equal(target, finding.SuggestedAction.Values["orderId"]);
        Assert.Equal(field, finding.SuggestedAction.Values["field"]);
        Assert.Equal(value, finding.SuggestedAction.Values["value"]);
    }

    [Fact]
    public void EmailMismatch_UpdatesTheStore_ByDefault()
    {
        var finding = Single(Findings(Store(), Keap() with { CustomerEmail = "rob@example.com" }), Category.EmailMismatch);

        Assert.Equal(ActionCodes.UpdateStore, finding.SuggestedAction.Code);
        Assert.Equal("rob@example.com", finding.SuggestedAction.Values["value"]);
    }

    [Fact]
    public void StatusMismatch_RefundNotPropagated_HasTheRefundedAmountAsImpact()
    {
        var finding = Single(Findings(Store() with { Status = "partially_refunded", AmountRefunded = 30m }, Keap()), Category.StatusMismatch);

        Assert.Equal(30m, finding.Impact);
        Assert.Equal(("partially_refunded", "paid"), (finding.StoreValue, finding.KeapValue));
        Assert.Equal("partially_refunded", finding.SuggestedAction.Values["value"]);
    }

    [Theory]
    [InlineData(Category.MissingInKeap, 1500, Severity.Critical)]
    [InlineData(Category.AmountMismatch, 1000, Severity.Critical)]
    [InlineData(Category.AmountMismatch, 150, Severity.High)]
    [InlineData(Category.StatusMismatch, 10, Severity.Medium)]
    [InlineData(Category.LineItemsMismatch, 9.99, Severity.Low)]
    [InlineData(Category.EmailMismatch, 5000, Severity.Low)]
    [InlineData(Category.ProbableMatch, 5000, Severity.Low)]
    public void Severity_FollowsCategoryAndImpactThresholds(Category category, decimal impact, Severity expected) =>
        Assert.Equal(expected, SeverityRules.For(category, impact, new SeverityThresholds()));

    [Fact]
    public void Findings_AreSortedBySeverityThenImpact()
    {
        var later = LaterPair();
        var store = new[] { Store(), Store("#1002", "S1002") with { Total = 5000m }, Store("#1003", "S1003"), later.Store };
        var keap = new[] { Keap() with { Total = 90m }, Keap("Shopify Order #1003", "K1003") with { Total = 50m }, later.Keap };

        var findings = Reconcile(store, keap).Findings;

        Assert.Equal(["1002", "1003", "1001"], findings.Select(f => f.OrderKey));
        Assert.Equal([Severity.Critical, Severity.Medium, Severity.Medium], findings.Select(f => f.Severity));
        Assert.Equal(findings, findings.Order(FindingOrder.BySeverityThenImpact));
    }

    [Fact]
    public void Sorted_OrdersKeysAsOrdinalStrings_WhateverTheirFirstEightCharacters()
    {
        // The sort copies each key's first eight UTF-16 units beside the finding; ties on them, shorter keys, a NUL,
        // letters beyond Latin-1 and surrogates must still order as string.CompareOrdinal does.
        string[] keys = ["1000123", "10001234", "100012345", "100012344", "1000123\0", "1000123\0a", "a", "", "é1", "\uFFFF", "\uD83D\uDE00x",
            "\uD83D\uDE00", "ABCDEFGH", "ABCDEFGHI", "abcdefgh", "ABCDEFGh", "\u0100", "\u00FF", "1000123 ", "10001230"];
        var random = new Random(7);
        var findings = new List<Finding>();
        foreach (var key in keys)
            foreach (var (severity, impact, category) in new[] { (Severity.Low, 0m, Category.EmailMismatch), (Severity.Low, 0m, Category.DateMismatch), (Severity.High, 150.5m, Category.AmountMismatch), (Severity.High, 150.49m, Category.AmountMismatch) })
                foreach (var duplicate in new string?[] { null, "D2", "D10" })
                    findings.Add(new Finding { Category = category, Severity = severity, OrderKey = key, Impact = impact, DuplicateOrderId = duplicate, Cause = new Cause("unknown", ""), SuggestedAction = new SuggestedAction("review", "both", new Dictionary<string, object?>()) });
        var shuffled = findings.OrderBy(_ => random.Next()).ToList();

        var sorted = FindingOrder.Sorted(shuffled);

        var expected = shuffled.OrderBy(f => (int)f.Severity).ThenByDescending(f => f.Impact).ThenBy(f => (int)f.Category)
            .ThenBy(f => f.OrderKey, StringComparer.Ordinal).ThenBy(f => f.DuplicateOrderId, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(Describe), sorted.Select(Describe));
        Assert.Equal(expected.Select(Describe), shuffled.Order(FindingOrder.BySeverityThenImpact).Select(Describe));

        static string Describe(Finding f) => $"{f.Severity}|{f.Impact}|{f.Category}|{string.Join(",", f.OrderKey.Select(c => (int)c))}|{f.DuplicateOrderId}";
    }

    [Fact]
    public void Comparer_AllocatesNothing()
    {
        // Enum.CompareTo(object) boxed both sides on every comparison: 230 MB per million-order sort.
        var a = new Finding { Category = Category.AmountMismatch, Severity = Severity.High, OrderKey = "1", Impact = 5m, Cause = new Cause("unknown", ""), SuggestedAction = new SuggestedAction("review", "both", new Dictionary<string, object?>()) };
        var b = a with { Category = Category.StatusMismatch };
        FindingOrder.BySeverityThenImpact.Compare(a, b);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            FindingOrder.BySeverityThenImpact.Compare(a, b);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
