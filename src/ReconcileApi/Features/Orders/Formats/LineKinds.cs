namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Line kinds from the names the formats meet: canonical names and Keap's item types, in one place.</summary>
public static class LineKinds
{
    /// <summary>A canonical kind name ("shipping", any case); missing → product; null when unknown (numbers are not names).</summary>
    public static LineKind? Canonical(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return LineKind.Product;
        return !int.TryParse(text, out _) && Enum.TryParse<LineKind>(text.Trim(), ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : null;
    }

    /// <summary>A canonical kind name or, failing that, a Keap item type ("DISCOUNT_ORDER"): what a table's kind column may hold.</summary>
    public static LineKind? FromText(string? text) => Canonical(text) ?? FromKeapItemType(text);

    /// <summary>
    /// A Keap item type (REST names such as PRODUCT or DISCOUNT_ORDER, display names such as
    /// "Special: Product", or the legacy numeric codes) → line kind; null when unknown. Missing → product.
    /// PRODUCT, UPSELL, SUBSCRIPTION, PROGRAM → product; SHIPPING → shipping; TAX → tax;
    /// DISCOUNT* and SPECIAL* (Keap's promotions, priced negative) → discount;
    /// SERVICE, FEE, FINANCE_CHARGE, UNKNOWN and other known non-product types → fee.
    /// </summary>
    public static LineKind? FromKeapItemType(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
            return LineKind.Product;
        if (int.TryParse(type, out var code))
        {
            return code switch
            {
                1 => LineKind.Shipping,
                2 => LineKind.Tax,
                4 or 5 or 8 or 9 => LineKind.Product,
                7 or (>= 10 and <= 14) => LineKind.Discount,
                0 or 3 or 6 => LineKind.Fee,
                _ => null,
            };
        }
        var t = new string(type.Trim().ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (t.StartsWith("DISCOUNT", StringComparison.Ordinal) || t.StartsWith("SPECIAL", StringComparison.Ordinal) || t == "COUPON")
            return LineKind.Discount;
        return t switch
        {
            "PRODUCT" or "UPSELL" or "UPSELL_PRODUCT" or "SUBSCRIPTION" or "SUBSCRIPTION_PLAN" or "PROGRAM" or "BUNDLE" => LineKind.Product,
            "SHIPPING" => LineKind.Shipping,
            "TAX" => LineKind.Tax,
            "SERVICE" or "SERVICE_AND_MISC" or "SERVICE___MISC" or "FEE" or "FINANCE_CHARGE" or "FINANCECHARGE" or "TIP" or "UNKNOWN" or "OTHER" => LineKind.Fee,
            _ => null,
        };
    }
}
