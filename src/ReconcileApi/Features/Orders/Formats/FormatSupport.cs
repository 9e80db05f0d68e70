namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Small pieces the vendor formats share.</summary>
static class FormatSupport
{
    /// <summary>How many minor units make one major unit (ISO 4217 exponent); 100 when the currency is unknown.</summary>
    public static decimal MinorUnitScale(string? currency) => Currencies.MinorUnitScale(currency);

    /// <summary>
    /// Every format reports a missing order id under the canonical name "orderId" (the message names the
    /// vendor's own field), so the receipt shows one error that the order validator does not repeat.
    /// </summary>
    public const string OrderIdField = "orderId";

    public static void MissingOrderId(ReadProblems problems, string vendorField) =>
        problems.Error(OrderIdField, $"Is required: the order's own id ({vendorField}).");

    /// <summary>The order for a JSON value that is not an object at all.</summary>
    public static ReadOrder? NotAnObject(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
            return null;
        var problems = new ReadProblems();
        problems.Error("", $"An order must be a JSON object, not {element.ValueKind.ToString().ToLowerInvariant()}.");
        return new ReadOrder(new CanonicalOrder { OrderId = "" }, problems);
    }

    public static string? PersonName(string? first, string? last)
    {
        var name = $"{first?.Trim()} {last?.Trim()}".Trim();
        return name.Length == 0 ? null : name;
    }

    public static decimal? Sum(IEnumerable<decimal?> values)
    {
        decimal? sum = null;
        foreach (var v in values)
        {
            if (v is { } x)
                sum = (sum ?? 0) + x;
        }
        return sum;
    }

    /// <summary>
    /// Whether an order's prices include tax, read from its amounts when the source does not say: with tax,
    /// subtotal + shipping = total means the tax is inside the prices, subtotal + shipping + tax = total that
    /// it is on top; anything else (or no tax) says nothing.
    /// </summary>
    public static bool? TaxesIncludedByAmounts(decimal? subtotal, decimal? shipping, decimal? tax, decimal total)
    {
        if (subtotal is not { } sub || tax is not > 0m)
            return null;
        var beforeTax = sub + (shipping ?? 0);
        return TaxInside(total, withTaxInside: beforeTax, withTaxOnTop: beforeTax + tax.Value);
    }

    /// <summary>
    /// True when <paramref name="amount"/> is, within a cent, what it would be with the tax inside the prices, false when it is
    /// what it would be with the tax on top, null when it is neither.
    /// </summary>
    public static bool? TaxInside(decimal amount, decimal withTaxInside, decimal withTaxOnTop) =>
        Math.Abs(amount - withTaxInside) <= 0.01m ? true : Math.Abs(amount - withTaxOnTop) <= 0.01m ? false : null;

    /// <summary>A line's unit price where none is given: its amount before discounts (else after them) per unit; null for no quantity.</summary>
    public static decimal? PriceFromAmounts(decimal? quantity, decimal? beforeDiscounts, decimal? afterDiscounts) =>
        quantity is { } q && q != 0 && (beforeDiscounts ?? afterDiscounts) is { } amount ? amount / q : null;

    /// <summary>A line's discount from its amounts before and after discounts (WooCommerce's <c>subtotal</c> and <c>total</c>), or null.</summary>
    public static decimal? DiscountFromAmounts(decimal? beforeDiscounts, decimal? afterDiscounts) =>
        beforeDiscounts is { } before && afterDiscounts is { } after && before != after ? before - after : null;

    /// <summary>Quantity × unit price, less a line discount when one is given.</summary>
    public static decimal LineAmount(decimal quantity, decimal unitPrice, decimal? discount = null) =>
        quantity * unitPrice - (discount ?? 0);
}
