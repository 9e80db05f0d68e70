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

/// <summary>Builds suggested actions; every value is a string, decimal, double, list or dictionary.</summary>
internal sealed class Actions(ReconcileSettings settings, LineComparison lines)
{
    public const string Store = "store", Keap = "keap", Both = "both";

    /// <summary>What a Keap create-order call needs for a store order Keap lacks.</summary>
    public SuggestedAction CreateInKeap(CanonicalOrder s, long ticks) => new(ActionCodes.CreateInKeap, Keap, new Dictionary<string, object?>
    {
        ["contactEmail"] = s.CustomerEmail?.Trim(),
        ["contactName"] = s.CustomerName,
        ["orderDate"] = Iso(ticks),
        ["orderTitle"] = $"{settings.StoreName} Order #{StoreReference(s)}",
        ["currency"] = s.Currency,
        ["total"] = s.Total,
        ["items"] = Items(s.Lines, OrderSource.Store),
    });

    public SuggestedAction CreateInStore(CanonicalOrder k, long ticks) => new(ActionCodes.CreateInStore, Store, new Dictionary<string, object?>
    {
        ["orderNumber"] = k.OrderNumber,
        ["customerEmail"] = k.CustomerEmail?.Trim(),
        ["customerName"] = k.CustomerName,
        ["orderDate"] = Iso(ticks),
        ["currency"] = k.Currency,
        ["total"] = k.Total,
        ["items"] = Items(k.Lines, OrderSource.Keap),
    });

    /// <summary>Writes the value of the system that is right about <paramref name="field"/> into the other one.</summary>
    public SuggestedAction Update(string field, CanonicalOrder s, CanonicalOrder k, object? storeValue, object? keapValue)
    {
        return TruthOf(field) == OrderSource.Store
            ? new(ActionCodes.UpdateKeap, Keap, new Dictionary<string, object?> { ["orderId"] = k.OrderId, ["field"] = field, ["value"] = storeValue })
            : new(ActionCodes.UpdateStore, Store, new Dictionary<string, object?> { ["orderId"] = s.OrderId, ["field"] = field, ["value"] = keapValue });
    }

    /// <summary>The system that is right about <paramref name="field"/>: settings, else the store.</summary>
    public OrderSource TruthOf(string field) => settings.SourceOfTruth.TryGetValue(field, out var t) ? t : OrderSource.Store;

    public static SuggestedAction RemoveDuplicate(OrderSource source, CanonicalOrder primary, CanonicalOrder extra) =>
        new(ActionCodes.RemoveDuplicate, source == OrderSource.Store ? Store : Keap, new Dictionary<string, object?>
        {
            ["orderId"] = extra.OrderId,
            ["keepOrderId"] = primary.OrderId,
        });

    public static SuggestedAction Review(CanonicalOrder s, CanonicalOrder k, double score) => new(ActionCodes.Review, Both, new Dictionary<string, object?>
    {
        ["storeOrderId"] = s.OrderId,
        ["keapOrderId"] = k.OrderId,
        ["storeOrderNumber"] = s.OrderNumber,
        ["keapOrderNumber"] = k.OrderNumber,
        ["matchScore"] = score,
    });

    /// <summary>The compared lines as <c>[{sku, name, quantity, price}]</c>; store SKUs are mapped to Keap's.</summary>
    public List<Dictionary<string, object?>> Items(IReadOnlyList<OrderLine> orderLines, OrderSource source)
    {
        var items = new List<Dictionary<string, object?>>(orderLines.Count);
        foreach (var line in orderLines)
        {
            if (!lines.IsCompared(line))
                continue;
            var sku = line.Sku.AsSpan().Trim();
            items.Add(new Dictionary<string, object?>
            {
                ["sku"] = sku.IsEmpty ? null : new string(source == OrderSource.Store ? lines.Key(line, source) : sku),
                ["name"] = line.Name,
                ["quantity"] = line.Quantity,
                ["price"] = line.UnitPrice,
            });
        }
        return items;
    }

    /// <summary>The store's own spelling of its reference ("#1001" → "1001"), or its id when it has no number.</summary>
    public static string StoreReference(CanonicalOrder s) =>
        s.OrderNumber?.Trim().TrimStart('#').Trim() is { Length: > 0 } n ? n : s.OrderId;

    public static string? Iso(long ticks) =>
        ticks == Normalizer.NoDate ? null : new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
