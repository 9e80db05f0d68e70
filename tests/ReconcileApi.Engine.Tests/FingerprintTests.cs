using ReconcileApi.Engine;

namespace ReconcileApi.Engine.Tests;

public sealed class FingerprintTests
{
    [Theory]
    [InlineData("Bob@Example.COM", " bob@example.com ")]
    [InlineData("ÉCOLE-42", "école-42")]
    [InlineData("AZaz@[`{", "azaz@[`{")]
    [InlineData("A-VERY-LONG-REFERENCE-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-END",
        "a-very-long-reference-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-end")]
    public void Fingerprint_IgnoresCaseAndSurroundingSpace(string a, string b) =>
        Assert.Equal(Fingerprint.OfFolded(a), Fingerprint.OfFolded(b));

    [Fact]
    public void Fingerprint_Differs_ForDifferentText()
    {
        var seen = new HashSet<Fingerprint>();
        foreach (var text in new[] { "a", "b", "ab", "ba", "abcd", "abce", "abcde", "1001", "1002", "10001", "@", "[", "`", "{", "@@@@", "[[[[" })
            Assert.True(seen.Add(Fingerprint.OfFolded(text)), text);
        Assert.True(Fingerprint.OfFolded("   ").IsNone);
    }
}
