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

    /// <summary>
    /// Whether a rate lies between any two currencies in use (the Kuwaiti dinar buys about 300,000 Iranian rials): one that
    /// implies more is a mistake, not a basis to convert by — and converting by it could overflow.
    /// </summary>
    public static bool PlausibleRate(decimal rate) => rate is >= 0.000001m and <= 1_000_000m;
}

/// <summary>
/// How a finding writes the amounts of one currency, in its values and its explanation: every <see cref="decimal"/> without
/// a format of its own at least to the currency's minor unit and without zeros past it — a BigCommerce 70.0000 reads 70.00,
/// a Keap v1 250 reads 250.00, 12.3456 stays 12.3456, 1164 yen stay 1164 — so that neither carries each sender's own scale
/// (a finding's values then stay the same text whichever way a sender writes the same amount). Everything else (and a
/// decimal given a format, as a quantity's <c>{units:0.####}</c>) is written as the invariant culture writes it.
/// </summary>
public sealed class AmountText : IFormatProvider, ICustomFormatter
{
    static readonly AmountText Cents = new(2), Whole = new(0), Mils = new(3);

    readonly string _pattern;

    AmountText(int places) => _pattern = "0." + new string('0', places) + new string('#', 28 - places);

    /// <summary>The provider for <paramref name="currency"/> (two places when it is unknown), for <c>string.Create</c>.</summary>
    public static AmountText In(string? currency) => Currencies.MinorUnitScale(currency) switch { 1m => Whole, 1000m => Mils, _ => Cents };

    /// <summary>One amount of <paramref name="currency"/>, for a sentence that holds amounts of two currencies.</summary>
    public static string Show(decimal amount, string? currency) => In(currency).Format(null, amount, null);

    public object? GetFormat(Type? formatType) =>
        formatType == typeof(ICustomFormatter) ? this : System.Globalization.CultureInfo.InvariantCulture.GetFormat(formatType);

    public string Format(string? format, object? arg, IFormatProvider? formatProvider) => arg switch
    {
        decimal d when string.IsNullOrEmpty(format) => d.ToString(_pattern, System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(format, System.Globalization.CultureInfo.InvariantCulture),
        _ => arg?.ToString() ?? "",
    };
}
