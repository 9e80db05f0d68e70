using ReconcileApi.Engine;
using ReconcileApi.Features.Discrepancies;

namespace ReconcileApi.Tests;

/// <summary>
/// Every stored discrepancy keeps the signature of what its finding wrote (<see cref="Data.Discrepancy.Signature"/>), and
/// each run compares the signature of what it finds with it. A build that computed other bytes for the same finding would
/// record a false "values changed" for every discrepancy an earlier build stored: the bytes are pinned here.
/// </summary>
public sealed class FindingSignatureTests
{
    static Finding Mismatch(string? email) => new()
    {
        Category = Category.AmountMismatch, Severity = Severity.High, OrderKey = "1001", StoreOrderId = "S1", KeapOrderId = "K1",
        CustomerEmail = email, OrderDate = new DateTime(2026, 10, 10, 12, 0, 0, DateTimeKind.Utc), Field = "total",
        StoreValue = "50.00", KeapValue = "40", Difference = 10.005m, Impact = 10.005m, Currency = "USD",
        Cause = new Cause("connector_total", "The connector wrote another total — é 山田 😀"),
        SuggestedAction = new SuggestedAction("update_keap_order", "keap", new Dictionary<string, object?> { ["total"] = 50m }),
    };

    [Theory]
    [InlineData("a@example.com", "1C7F712AE2DDBC23FFCC9359086962389E77027838E2BD61")]
    [InlineData(null, "1C7F712AE2DDBC23BDE01493224BC93AD42E701BA2F737C1")]
    public void The_signature_of_a_finding_is_the_bytes_earlier_builds_stored(string? email, string expected)
    {
        var finding = Mismatch(email);
        Assert.Equal(expected, Convert.ToHexString(FindingSignature.Of(finding, "{\"code\":\"update_keap_order\"}", "[]")));
    }

    [Fact]
    public void Only_the_values_a_history_entry_records_decide_ValuesDiffer()
    {
        var stored = FindingSignature.Of(Mismatch("a@example.com"), "{}", "[]");
        var otherEmail = FindingSignature.Of(Mismatch("b@example.com"), "{}", "[]");
        var otherValue = FindingSignature.Of(Mismatch("a@example.com") with { KeapValue = "41" }, "{}", "[]");
        Assert.True(FindingSignature.Differs(stored, otherEmail));
        Assert.False(FindingSignature.ValuesDiffer(stored, otherEmail));
        Assert.True(FindingSignature.ValuesDiffer(stored, otherValue));
        Assert.False(FindingSignature.Differs(stored, FindingSignature.Of(Mismatch("a@example.com"), "{}", "[]")));
    }
}
