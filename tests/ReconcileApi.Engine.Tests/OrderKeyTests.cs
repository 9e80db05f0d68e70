using System.Text.RegularExpressions;
using ReconcileApi.Engine;

namespace ReconcileApi.Engine.Tests;

public sealed class OrderKeyTests
{
    static readonly OrderKeyPattern Default = new(ReconcileSettings.DefaultKeyPattern);

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
    public void DefaultPattern_ExtractsTheTrailingReference(string? number, string? key) =>
        Assert.Equal(key, Default.Extract(number));

    [Fact]
    public void DefaultPattern_FastPath_AgreesWithTheRegex_OnRandomNumbers()
    {
        var regex = new Regex(ReconcileSettings.DefaultKeyPattern, RegexOptions.CultureInvariant);
        const string alphabet = "aZ09#-_ \t.#/é\u00a0";
        var rng = new Random(1234);
        for (var i = 0; i < 20000; i++)
        {
            var chars = new char[rng.Next(0, 12)];
            for (var c = 0; c < chars.Length; c++)
                chars[c] = alphabet[rng.Next(alphabet.Length)];
            var s = new string(chars);
            var m = regex.Match(s);
            var expected = m.Success ? m.Groups[1].Value.ToLowerInvariant() : null;
            Assert.True(expected == OrderKeyPattern.TrailingToken(s), $"'{s}': regex '{expected}', fast path '{OrderKeyPattern.TrailingToken(s)}'");
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
}
