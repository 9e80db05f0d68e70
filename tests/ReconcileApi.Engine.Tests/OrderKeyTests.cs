using System.Text.RegularExpressions;
using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

public sealed class OrderKeyTests
{
    static readonly OrderKeyPattern StoreDefault = new(ReconcileSettings.DefaultStoreKeyPattern);
    static readonly OrderKeyPattern KeapDefault = new(ReconcileSettings.DefaultKeapKeyPattern);

    [Theory]
    [InlineData("#1001", "1001")]
    [InlineData("1001", "1001")]
    [InlineData("Shopify Order #1001", "1001")]
    [InlineData("  # 1001  ", "1001")]
    [InlineData("Order #AB-1001", "ab-1001")]
    [InlineData("#--x9", "x9")]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("###", null)]
    public void StoreDefault_ExtractsTheTrailingReference(string? number, string? key) =>
        Assert.Equal(key, StoreDefault.Extract(number));

    [Theory]
    [InlineData("Shopify Order #1001", "1001")]
    [InlineData("WooCommerce Order #1001", "1001")]
    [InlineData("Big Commerce Order 1001", "1001")]
    [InlineData("Order 1001", "1001")]
    [InlineData("order #1001", "1001")]
    [InlineData("Order: 1001", "1001")]
    [InlineData("Order No. 1001", "1001")]
    [InlineData("Order number 1001", "1001")]
    [InlineData("Shopify Order: #1001", "1001")]
    [InlineData("Order #: 1001", null)]
    [InlineData("#1001", "1001")]
    [InlineData("  # 1001  ", "1001")]
    [InlineData("1001", "1001")]
    [InlineData("Shopify Order #SH-1001", "sh-1001")]
    // Titles a person typed give no reference.
    [InlineData("Annual Membership", null)]
    [InlineData("Order for Bob", null)]
    [InlineData("Membership 2024", null)]
    [InlineData("Invoice 1001", null)]
    [InlineData("Consulting - March", null)]
    [InlineData("Order #ABC", null)]
    [InlineData("Order1001", null)]
    [InlineData("Reorder 1001", null)]
    [InlineData("SO-2024", null)]
    [InlineData(null, null)]
    [InlineData("", null)]
    public void KeapDefault_ReadsOnlyAStoreReference(string? title, string? key) =>
        Assert.Equal(key, KeapDefault.Extract(title));

    [Fact]
    public void StoreDefault_FastPath_AgreesWithTheRegex_OnRandomNumbers()
    {
        var regex = new Regex(ReconcileSettings.DefaultStoreKeyPattern, RegexOptions.CultureInvariant);
        AgreesOnRandomText(regex, OrderKeyPattern.TrailingToken, ["a", "Z", "0", "9", "#", "-", "_", " ", "\t", ".", "/", "é", "\u00a0"]);
    }

    [Fact]
    public void KeapDefault_FastPath_AgreesWithTheRegex_OnRandomTitles()
    {
        var regex = new Regex(ReconcileSettings.DefaultKeapKeyPattern, RegexOptions.CultureInvariant);
        AgreesOnRandomText(regex, OrderKeyPattern.Reference,
            ["Order", "ORDER", "order", "Shopify", "Big", "No.", "no", "Nr.", "number", "#", ":", " ", "  ", "\u00a0", "1001", "7", "AB", "x9", "-", "_", ".", "é", "K"]);
    }

    static void AgreesOnRandomText(Regex regex, Func<string, string?> fastPath, string[] fragments)
    {
        var rng = new Random(1234);
        for (var i = 0; i < 40000; i++)
        {
            var parts = new string[rng.Next(0, 9)];
            for (var c = 0; c < parts.Length; c++)
                parts[c] = fragments[rng.Next(fragments.Length)];
            var s = string.Concat(parts);
            var m = regex.Match(s);
            var expected = m.Success ? m.Groups[1].Value.ToLowerInvariant() : null;
            Assert.True(expected == fastPath(s), $"'{s}': regex '{expected}', fast path '{fastPath(s)}'");
        }
    }

    [Fact]
    public void CustomPattern_UsesItsCaptureGroup()
    {
        var pattern = new OrderKeyPattern(@"^WC-(\d+)");

        Assert.Equal("77", pattern.Extract("WC-77 (web)"));
        Assert.Null(pattern.Extract("77"));
    }

    [Fact]
    public void CustomPatterns_PairOrdersOnTheirCapturedKeys()
    {
        var settings = ReconcileSettings.Default with { KeapKeyPattern = @"ref=(\w+)" };

        var result = Orders.Reconcile([Orders.Store("#1001")], [Orders.Keap("Order ref=1001 imported")], settings);

        Assert.Empty(result.Findings);
        Assert.Equal(1, result.Matched);
    }

    [Fact]
    public void AWorkspacePattern_StopsTheRunOnceItSpendsItsBudget_WithASentence()
    {
        var settings = ReconcileSettings.Default with { KeapKeyPattern = @"^(a+)+$" };
        var keap = Enumerable.Range(0, 2000).Select(i => Keap(new string('a', 60) + "b", $"K{i}")).ToList();

        var thrown = Record.Exception(() => Reconciler.Reconcile([Store()], keap, settings, new Tuning(ParallelFrom: 1, KeyPatternBudgetSeconds: 0.0001)));

        var budget = thrown as RunBudgetExceededException ?? (thrown as AggregateException)?.Flatten().InnerExceptions.OfType<RunBudgetExceededException>().First();
        Assert.NotNull(budget);
        Assert.Contains("took more than", budget.Message);
    }

    [Fact]
    public void AWorkspacePattern_RunsWithinTheDefaultBudget_OnWhatWouldBacktrackForever()
    {
        var settings = ReconcileSettings.Default with { KeapKeyPattern = @"^(a+)+$" };
        var keap = Enumerable.Range(0, 2000).Select(i => Keap(new string('a', 60) + "b", $"K{i}")).ToList();

        var result = Reconciler.Reconcile([Store()], keap, settings);

        Assert.Equal(2000, result.KeapOrders);
    }
}
