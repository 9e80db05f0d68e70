namespace ReconcileApi.Engine;

/// <summary>ISO 4217 minor units: what the smallest amount of a currency is (Keap v2 writes money in it).</summary>
public static class Currencies
{
    static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
        { "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG", "XAF", "XOF", "XPF", "KMF", "GNF", "DJF", "RWF", "VUV", "BIF" };

    static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" };

    /// <summary>How many minor units make one major unit (10 to the ISO 4217 exponent); 100 when the currency is unknown.</summary>
    public static decimal MinorUnitScale(string? currency) =>
        currency is null ? 100m : ZeroDecimal.Contains(currency.Trim()) ? 1m : ThreeDecimal.Contains(currency.Trim()) ? 1000m : 100m;

    /// <summary>The smallest amount of <paramref name="currency"/>: 1 yen, 0.01 dollar, 0.001 dinar.</summary>
    public static decimal MinorUnit(string? currency) => 1m / MinorUnitScale(currency);
}
