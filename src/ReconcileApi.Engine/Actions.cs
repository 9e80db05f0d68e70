using System.Globalization;

namespace ReconcileApi.Engine;

/// <summary>The suggested-action codes (<see cref="SuggestedAction.Code"/>).</summary>
public static class ActionCodes
{
    public const string CreateInKeap = "create_in_keap";
    public const string CreateInStore = "create_in_store";
    public const string UpdateKeap = "update_keap";
    public const string UpdateStore = "update_store";
    public const string RemoveDuplicate = "remove_duplicate";
    public const string Review = "review";
}

/// <summary>Builds suggested actions; every value is a string, decimal, double, list or name → value map.</summary>
internal sealed class Actions(ReconcileSettings settings, LineComparison lines)
{
    public const string Store = "store", Keap = "keap", Both = "both";

    /// <summary>What a Keap create-order call needs for a store order Keap lacks.</summary>
    static readonly string[] CreateInKeapNames = ["contactEmail", "contactName", "orderDate", "orderTitle", "currency", "total", "items"];
    static readonly string[] CreateInStoreNames = ["orderNumber", "customerEmail", "customerName", "orderDate", "currency", "total", "items"];
    static readonly string[] UpdateNames = ["orderId", "field", "value"];
    static readonly string[] DuplicateNames = ["orderId", "keepOrderId"];
    static readonly string[] CreateInKeapWithoutItems = CreateInKeapNames[..^1];
    static readonly string[] CreateInStoreWithoutItems = CreateInStoreNames[..^1];
    static readonly string[] ReviewNames = ["storeOrderId", "keapOrderId", "storeOrderNumber", "keapOrderNumber", "matchScore"];
    static readonly string[] ReviewKeapNames = ["keapOrderId", "keapOrderTitle", "sourceType"];
    static readonly string[] ReviewFieldNames = ["storeOrderId", "keapOrderId", "field", "storeValue", "keapValue"];
    static readonly string[] ItemNames = ["sku", "name", "quantity", "price", "type"];

    /// <summary>
    /// What a Keap create-order call needs for a store order Keap lacks. The title names the store as the
    /// settings do, else as the order's platform, so the default Keap key pattern reads it back. Without
    /// lines on the store order there are no items to write (never an empty list).
    /// </summary>
    public SuggestedAction CreateInKeap(CanonicalOrder s, long ticks)
    {
        var title = (settings.StoreName ?? PlatformName(s.Platform)) is { } store ? $"{store} Order #{StoreReference(s)}" : $"Order #{StoreReference(s)}";
        var items = Items(s, OrderSource.Store);
        // Keap builds an order's total from its items: shipping, tax and discount go in as items of their own.
        if (items.Count > 0)
        {
            // Products are written net where their tax is known; a charge without a stated tax (duties, a tip) at its price.
            var netPrices = s.TaxesIncluded != true || s.Lines.Where(l => lines.IsCompared(l) && l.Kind == LineKind.Product).All(l => l.Tax is not null);
            // With tax-inclusive prices the shipping includes its own tax too, which the tax item holds: written net of it.
            var shippingTax = s.TaxesIncluded == true && netPrices ? s.Lines.Where(l => l.Kind == LineKind.Shipping).Sum(l => l.Tax ?? 0m) : 0m;
            if (s.Shipping - shippingTax is > 0m and var shipping)
                items.Add(new ActionValues(ItemNames, null, "Shipping", 1m, shipping, "SHIPPING"));
            if (s.Tax is > 0m and var tax && netPrices)
                items.Add(new ActionValues(ItemNames, null, "Tax", 1m, tax, "TAX"));
            if (s.Discount is > 0m and var discount)
                items.Add(new ActionValues(ItemNames, null, "Discount", 1m, -discount, "DISCOUNT"));
        }
        return new(ActionCodes.CreateInKeap, Keap, items.Count == 0
            ? new ActionValues(CreateInKeapWithoutItems, s.CustomerEmail?.Trim(), s.CustomerName, Iso(ticks), title, s.Currency, s.Total)
            : new ActionValues(CreateInKeapNames, s.CustomerEmail?.Trim(), s.CustomerName, Iso(ticks), title, s.Currency, s.Total, items));
    }

    /// <summary>A store order for a Keap order that refers to one the store lacks; its number is the reference Keap's title holds.</summary>
    public SuggestedAction CreateInStore(CanonicalOrder k, string reference, long ticks)
    {
        var items = Items(k, OrderSource.Keap);
        return new(ActionCodes.CreateInStore, Store, items.Count == 0
            ? new ActionValues(CreateInStoreWithoutItems, "#" + reference, k.CustomerEmail?.Trim(), k.CustomerName, Iso(ticks), k.Currency, k.Total)
            : new ActionValues(CreateInStoreNames, "#" + reference, k.CustomerEmail?.Trim(), k.CustomerName, Iso(ticks), k.Currency, k.Total, items));
    }

    /// <summary>A difference of basis, not of money (Keap booked the buyer's currency): a person decides; nothing is written.</summary>
    public static SuggestedAction ReviewField(string field, CanonicalOrder s, CanonicalOrder k, string? storeValue, string? keapValue) =>
        new(ActionCodes.Review, Both, new ActionValues(ReviewFieldNames, s.OrderId, k.OrderId, field, storeValue, keapValue));

    /// <summary>A Keap order for a person to look at (made in Keap, or its store data missing here); nothing is written.</summary>
    public SuggestedAction ReviewKeapOnly(CanonicalOrder k, string system = Keap) =>
        new(ActionCodes.Review, system, new ActionValues(ReviewKeapNames, k.OrderId, k.OrderNumber, k.SourceType));

    /// <summary>How a platform names itself in order titles ("Shopify Order #1001"); null when unknown.</summary>
    public static string? PlatformName(string? platform) => platform?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "shopify" => "Shopify",
        "woocommerce" => "WooCommerce",
        "bigcommerce" => "BigCommerce",
        var other => char.ToUpperInvariant(other[0]) + other[1..],
    };

    /// <summary>Writes the value of the system that is right about <paramref name="field"/> into the other one.</summary>
    public SuggestedAction Update(string field, CanonicalOrder s, CanonicalOrder k, object? storeValue, object? keapValue)
    {
        return TruthOf(field) == OrderSource.Store
            ? new(ActionCodes.UpdateKeap, Keap, new ActionValues(UpdateNames, k.OrderId, field, storeValue))
            : new(ActionCodes.UpdateStore, Store, new ActionValues(UpdateNames, s.OrderId, field, keapValue));
    }

    /// <summary>The system that is right about <paramref name="field"/>: settings, else the store.</summary>
    public OrderSource TruthOf(string field) => settings.SourceOfTruth.TryGetValue(field, out var t) ? t : OrderSource.Store;

    public static SuggestedAction RemoveDuplicate(OrderSource source, CanonicalOrder primary, CanonicalOrder extra) =>
        new(ActionCodes.RemoveDuplicate, source == OrderSource.Store ? Store : Keap, new ActionValues(DuplicateNames, extra.OrderId, primary.OrderId));

    public static SuggestedAction Review(CanonicalOrder s, CanonicalOrder k, double score) =>
        new(ActionCodes.Review, Both, new ActionValues(ReviewNames, s.OrderId, k.OrderId, s.OrderNumber, k.OrderNumber, score));

    /// <summary>
    /// The compared lines as <c>[{sku, name, quantity, price, type}]</c>; store SKUs are mapped to Keap's. Prices are
    /// net of tax, as Keap keeps its lines (tax is an item of its own), wherever a tax-inclusive line's tax is known.
    /// </summary>
    public List<ActionValues> Items(CanonicalOrder order, OrderSource source)
    {
        var items = new List<ActionValues>(order.Lines.Count);
        foreach (var line in order.Lines)
        {
            if (!lines.IsCompared(line))
                continue;
            var sku = lines.Sku(line, source);
            var price = order.TaxesIncluded == true && line.Tax is { } tax && line.Quantity != 0
                ? decimal.Round(line.UnitPrice - tax / line.Quantity, 2)
                : line.UnitPrice;
            items.Add(new ActionValues(ItemNames, sku.IsEmpty ? null : new string(sku), line.Name, line.Quantity, price, ItemType(line.Kind)));
        }
        return items;
    }

    /// <summary>Keap's <c>item_type</c> for a line kind.</summary>
    static string ItemType(LineKind kind) => kind switch
    {
        LineKind.Shipping => "SHIPPING",
        LineKind.Tax => "TAX",
        LineKind.Discount => "DISCOUNT",
        LineKind.Fee => "FEE",
        _ => "PRODUCT",
    };

    /// <summary>The store's own spelling of its reference ("#1001" → "1001"), or its id when it has no number.</summary>
    public static string StoreReference(CanonicalOrder s) =>
        s.OrderNumber?.Trim().TrimStart('#').Trim() is { Length: > 0 } n ? n : s.OrderId;

    public static string? Iso(long ticks) =>
        ticks == Normalizer.NoDate ? null : new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
