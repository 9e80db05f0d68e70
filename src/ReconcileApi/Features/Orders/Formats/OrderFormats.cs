namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Every ingest format by its <c>?format=</c> name.</summary>
public static class OrderFormats
{
    public static readonly IReadOnlyDictionary<string, IJsonOrderFormat> Json =
        new IJsonOrderFormat[] { new CanonicalFormat() }.ToDictionary(f => f.Name);

    public static readonly IReadOnlyDictionary<string, ITableOrderFormat> Tables =
        new Dictionary<string, ITableOrderFormat>();

    /// <summary>The table dialect a header looks like, for uploads that do not say.</summary>
    public static string? DetectTable(IReadOnlyList<string> header) => null;
}
