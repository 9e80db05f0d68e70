namespace ReconcileApi.Engine;

/// <summary>
/// What a match is and how fields compare. The defaults work for a Shopify or WooCommerce store
/// against Keap with no configuration.
/// </summary>
public sealed record ReconcileSettings
{
    /// <summary>Regex with one capture group extracting the cross-system reference from the store's order number.</summary>
    public string StoreKeyPattern { get; init; } = @"#?\s*([A-Za-z0-9][A-Za-z0-9_-]*)\s*$";
    /// <summary>Regex with one capture group extracting the store reference from the Keap order number or title.</summary>
    public string KeapKeyPattern { get; init; } = @"#?\s*([A-Za-z0-9][A-Za-z0-9_-]*)\s*$";
    public decimal AmountTolerance { get; init; } = 0.01m;
    public decimal AmountTolerancePercent { get; init; }
    public double DateToleranceHours { get; init; } = 24;
    /// <summary>IANA zone for wall-clock times without an offset.</summary>
    public string Timezone { get; init; } = "UTC";
    public int SettleMinutes { get; init; } = 60;
    public bool FuzzyMatching { get; init; } = true;
    public double FuzzyThreshold { get; init; } = 0.8;
    /// <summary>Raw status (case-insensitive) → canonical state, per source. Empty means the built-in defaults.</summary>
    public IReadOnlyDictionary<OrderSource, IReadOnlyDictionary<string, PaymentState>> StatusMap { get; init; } =
        new Dictionary<OrderSource, IReadOnlyDictionary<string, PaymentState>>();
    /// <summary>Store SKU → Keap SKU.</summary>
    public IReadOnlyDictionary<string, string> SkuMap { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<LineKind> IgnoreLineKinds { get; init; } = [LineKind.Shipping, LineKind.Tax, LineKind.Discount];
    /// <summary>Field → the system that is right about it (total, status, lines, orderDate, email).</summary>
    public IReadOnlyDictionary<string, OrderSource> SourceOfTruth { get; init; } = new Dictionary<string, OrderSource>
    {
        ["total"] = OrderSource.Store,
        ["status"] = OrderSource.Store,
        ["lines"] = OrderSource.Store,
        ["orderDate"] = OrderSource.Store,
        ["email"] = OrderSource.Keap,
    };

    public static ReconcileSettings Default { get; } = new();
}
