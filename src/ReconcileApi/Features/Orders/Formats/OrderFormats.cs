namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Every ingest format by its <c>?format=</c> name (case-insensitive).</summary>
public static class OrderFormats
{
    public static IReadOnlyDictionary<string, IJsonOrderFormat> Json { get; } =
        new IJsonOrderFormat[] { new CanonicalFormat(), new ShopifyFormat(), new ShopifyGraphQlFormat(), new WooCommerceFormat(), new BigCommerceFormat(), new KeapFormat() }
            .ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyDictionary<string, ITableOrderFormat> Tables { get; } =
        new ITableOrderFormat[] { new CsvFormat(), new ShopifyCsvFormat(), new KeapCsvFormat() }
            .ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every JSON format's list wrappers (<c>orders</c>, <c>order</c>): where a body's orders are before its format is known.</summary>
    public static IReadOnlyList<string> JsonWrappers { get; } = Json.Values.SelectMany(f => f.WrapperProperties).Distinct().ToList();

    /// <summary>What a JSON body sent without <c>?format=</c> looks like: a format, or the reason to ask for one.</summary>
    public sealed record JsonDetection(IJsonOrderFormat? Format, string? Hint);

    /// <summary>
    /// The JSON format the first orders of a body (<paramref name="fieldNames"/>: their top-level property names) are
    /// in, from each format's <see cref="IJsonOrderFormat.Marks"/> and <see cref="IJsonOrderFormat.Signature"/>. A field only one
    /// shape has (a GraphQL order's <c>totalPriceSet</c>) names it. Else canonical stays the default: any canonical field,
    /// or no vendor field at all, is canonical. Otherwise the vendor with the most of its fields wins, when it has at least
    /// two and no other vendor has as many; a body with vendor fields that none wins is not guessed at: the hint names the
    /// <c>?format=</c> values to send.
    /// </summary>
    public static JsonDetection DetectJson(IReadOnlyCollection<string> fieldNames)
    {
        var canonical = Json["canonical"];
        var marked = Json.Values.Where(f => f.Marks.Any(fieldNames.Contains)).ToList();
        if (marked.Count == 1)
            return new(marked[0], null);
        // The canonical names in any case: a C# tool's serializer may write them PascalCase (CanonicalFormat reads those too).
        if (fieldNames.Count == 0 || canonical.Signature.Any(s => fieldNames.Contains(s, StringComparer.OrdinalIgnoreCase)))
            return new(canonical, null);
        var scores = Json.Values.Where(f => f != canonical)
            .Select(f => (Format: f, Fields: f.Signature.Where(fieldNames.Contains).ToList()))
            .Where(s => s.Fields.Count > 0)
            .OrderByDescending(s => s.Fields.Count)
            .ToList();
        if (scores.Count == 0)
            return new(canonical, null);
        if (scores[0].Fields.Count >= 2 && (scores.Count == 1 || scores[1].Fields.Count < scores[0].Fields.Count))
            return new(scores[0].Format, null);
        var seen = string.Join(", ", scores.SelectMany(s => s.Fields).Distinct().Order(StringComparer.Ordinal));
        var candidates = string.Join(" or ", scores.Select(s => $"?format={s.Format.Name}"));
        // Canonical fields written another way (`order_id`, as a Make or Zapier user may type them) are named.
        var respelled = fieldNames.Select(n => (Sent: n, Meant: Spelling.Closest(n, CanonicalFormat.OrderFields)))
            .Where(m => m.Meant is not null && m.Meant != m.Sent).OrderBy(m => m.Sent, StringComparer.Ordinal).Select(m => $"{m.Sent} → {m.Meant}").ToList();
        var camel = respelled.Count == 0 ? "" : $" For canonical orders the names are camelCase: {string.Join(", ", respelled)}.";
        return new(null,
            $"The orders are not canonical JSON (no orderId, orderDate, lines, …) and their fields ({seen}) do not say which vendor's they are; " +
            $"send ?format= with the format: {candidates} (all JSON formats: {string.Join(", ", Json.Keys)}).{camel}");
    }

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
