namespace ReconcileApi.Engine;

/// <summary>
/// What a match is and how fields compare. The defaults work for a Shopify or WooCommerce store
/// against Keap with no configuration.
/// </summary>
public sealed record ReconcileSettings
{
    /// <summary>The store's default: its order number's trailing token, so "#1001", "1001" and "WC-1001" give "1001", "1001" and "wc-1001".</summary>
    public const string DefaultStoreKeyPattern = @"#?\s*([A-Za-z0-9][A-Za-z0-9_-]*)\s*$";

    /// <summary>
    /// Keap's default: a store reference as connectors write it into titles — "Shopify Order #1001",
    /// "Order 1001", "Order No. 1001", "Order: #1001", "#1001" or a bare number; the reference holds a digit. A title a
    /// person typed ("Annual Membership", "Order for Bob") gives no key.
    /// </summary>
    public const string DefaultKeapKeyPattern =
        @"^\s*(?:(?:[A-Za-z]+\s+){0,3}(?i:order)(?:\s+(?i:no\.?|nr\.?|number))?\s*:?\s*#?\s*|#\s*|(?=[0-9]+\s*$))(?<![A-Za-z0-9_-])((?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9][A-Za-z0-9_-]*)\s*$";

    /// <summary>Regex with one capture group extracting the cross-system reference from the store's order number.</summary>
    public string StoreKeyPattern { get; init; } = DefaultStoreKeyPattern;
    /// <summary>Regex with one capture group extracting the store reference from the Keap order number or title.</summary>
    public string KeapKeyPattern { get; init; } = DefaultKeapKeyPattern;
    public decimal AmountTolerance { get; init; } = 0.01m;
    public decimal AmountTolerancePercent { get; init; }
    public double DateToleranceHours { get; init; } = 24;
    /// <summary>IANA zone for wall-clock times without an offset.</summary>
    public string Timezone { get; init; } = "UTC";
    /// <summary>
    /// How ingest reads numeric dates such as <c>05/06/2026</c> where either part could be the day: <c>dmy</c> or <c>mdy</c>.
    /// Null (the default) rejects such a date instead of guessing; <c>13/06/2026</c> and ISO 8601 are read either way.
    /// </summary>
    public DateOrder? DateOrder { get; init; }
    public int SettleMinutes { get; init; } = 60;
    public bool FuzzyMatching { get; init; } = true;
    public double FuzzyThreshold { get; init; } = 0.8;
    /// <summary>Two records with one key created at most this many minutes apart are a retried create (cause <c>retry_duplicate</c>).</summary>
    public int DuplicateWindowMinutes { get; init; } = 10;
    /// <summary>
    /// The store's name as the Keap connector writes it into order titles ("Shopify Order #1001"); null
    /// (the default) takes it from each order's platform, and an order of unknown platform gets "Order #1001".
    /// </summary>
    public string? StoreName { get; init; }
    /// <summary>Raw status (case-insensitive) → canonical state, per source, on top of the built-in defaults.</summary>
    public IReadOnlyDictionary<OrderSource, IReadOnlyDictionary<string, PaymentState>> StatusMap { get; init; } =
        new Dictionary<OrderSource, IReadOnlyDictionary<string, PaymentState>>();
    /// <summary>Store SKU → Keap SKU.</summary>
    public IReadOnlyDictionary<string, string> SkuMap { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<LineKind> IgnoreLineKinds { get; init; } = [LineKind.Shipping, LineKind.Tax, LineKind.Discount];
    /// <summary>Field → the system that is right about it (total, status, lines, orderDate, email, currency).</summary>
    public IReadOnlyDictionary<string, OrderSource> SourceOfTruth { get; init; } = new Dictionary<string, OrderSource>
    {
        ["total"] = OrderSource.Store,
        ["status"] = OrderSource.Store,
        ["lines"] = OrderSource.Store,
        ["orderDate"] = OrderSource.Store,
        ["email"] = OrderSource.Keap,
    };
    /// <summary>Money at stake from which a money discrepancy is critical, high or medium (below: low).</summary>
    public SeverityThresholds SeverityThresholds { get; init; } = new();

    public static ReconcileSettings Default { get; } = new();

    /// <summary>
    /// Every problem that would make these settings unusable, as (field, message) with camelCase
    /// field names as on the wire; empty when the settings are valid.
    /// </summary>
    public IReadOnlyList<SettingsError> Validate() => SettingsValidation.Validate(this);
}

/// <summary>Impact thresholds (in order currency) for the severity of money discrepancies.</summary>
public sealed record SeverityThresholds
{
    public decimal Critical { get; init; } = 1000m;
    public decimal High { get; init; } = 100m;
    public decimal Medium { get; init; } = 10m;
}

/// <summary>One invalid settings field: <see cref="Field"/> is the camelCase JSON path (e.g. <c>skuMap</c>, <c>severityThresholds.high</c>).</summary>
public sealed record SettingsError(string Field, string Message);
