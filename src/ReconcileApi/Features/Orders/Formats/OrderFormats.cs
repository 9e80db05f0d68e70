namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Every ingest format by its <c>?format=</c> name (case-insensitive).</summary>
public static class OrderFormats
{
    public static IReadOnlyDictionary<string, IJsonOrderFormat> Json { get; } =
        new IJsonOrderFormat[] { new CanonicalFormat(), new ShopifyFormat(), new WooCommerceFormat(), new BigCommerceFormat(), new KeapFormat() }
            .ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyDictionary<string, ITableOrderFormat> Tables { get; } =
        new ITableOrderFormat[] { new CsvFormat(), new ShopifyCsvFormat(), new KeapCsvFormat() }
            .ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The table format a header looks like: "shopify-csv" for Shopify's order export (Name and Lineitem
    /// name), "keap-csv" for a Keap report (Order Title or Pay Status, or Order Total beside Keap's Contact
    /// Id / Total Paid / Total Due), else "csv"; null for an empty header.
    /// </summary>
    public static string? DetectTable(IReadOnlyList<string> header)
    {
        var keys = header.Where(h => !string.IsNullOrWhiteSpace(h)).Select(TableColumns.Key).ToHashSet(StringComparer.Ordinal);
        if (keys.Count == 0)
            return null;
        if (keys.Contains("name") && keys.Contains("lineitemname"))
            return "shopify-csv";
        if (keys.Contains("ordertitle") || keys.Contains("paystatus")
            || keys.Contains("ordertotal") && (keys.Contains("contactid") || keys.Contains("totalpaid") || keys.Contains("totaldue")))
            return "keap-csv";
        return "csv";
    }
}
