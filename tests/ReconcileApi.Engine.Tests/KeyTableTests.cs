using ReconcileApi.Engine;

namespace ReconcileApi.Engine.Tests;

public sealed class KeyTableTests
{
    [Fact]
    public void KeyTable_KeepsEverySlot_WhenItGrowsPastItsExpectedSize()
    {
        var table = new KeyTable(expected: 4);
        for (var i = 0; i < 5000; i++)
            table.GetOrAdd(Fingerprint.OfFolded($"key{i}")).Store = i + 1;
        table.GetOrAdd(Fingerprint.OfFolded("KEY7")).Keap = 99;

        Assert.Equal(5000, table.Count);
        Assert.Equal(5000, table.Slots().Count());
        Assert.Equal(4243, table.Get(Fingerprint.OfFolded("key4242")).Store);
        Assert.Equal((8, 99), (table.Get(Fingerprint.OfFolded("key7")).Store, table.Get(Fingerprint.OfFolded("key7")).Keap));
        Assert.Equal(0, table.Get(Fingerprint.OfFolded("absent")).Store);
    }
}

public sealed class FingerprintTests
{
    [Theory]
    [InlineData("Bob@Example.COM", " bob@example.com ")]
    [InlineData("ÉCOLE-42", "école-42")]
    [InlineData("AZaz@[`{", "azaz@[`{")]
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
