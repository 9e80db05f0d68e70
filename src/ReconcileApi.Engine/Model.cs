using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReconcileApi.Engine;

/// <summary>
/// Writes enum values as snake_case strings (the wire convention) and reads them back in any case, also by their C#
/// names (<c>impact_above</c>, <c>Impact_above</c>, <c>ImpactAbove</c>), as query parameters are read: .NET's own converter
/// took the snake_case name in lower case only, so clients whose enums are written as <c>Impact_above</c> (NSwag's
/// System.Text.Json flavour) got a 400 for a value they spelled right. Numbers are refused, as before.
/// </summary>
public sealed class SnakeCaseEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    static readonly Dictionary<TEnum, JsonEncodedText> Names = Enum.GetValues<TEnum>()
        .ToDictionary(v => v, v => JsonEncodedText.Encode(JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString())));
    static readonly Dictionary<string, TEnum> ByName = Names
        .SelectMany(p => new[] { (Name: p.Value.Value, Value: p.Key), (Name: p.Key.ToString(), Value: p.Key) })
        .DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Parse(reader.GetString()) : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));

    public override TEnum ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

    public override void WriteAsPropertyName(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WritePropertyName(Name(value));

    /// <summary>The value a text names, as bodies and query parameters are read: the snake_case or C# name in any case, trimmed.</summary>
    public static bool TryParse(string? text, out TEnum value) => ByName.TryGetValue(text?.Trim() ?? "", out value);

    /// <summary>The value's name on the wire (snake_case).</summary>
    public static string WireName(TEnum value) => Name(value).Value;

    static TEnum Parse(string? text) => TryParse(text, out var value) ? value : throw new JsonException();

    static JsonEncodedText Name(TEnum value) =>
        Names.TryGetValue(value, out var name) ? name : throw new JsonException($"{value} is not a value of {typeof(TEnum).Name}.");
}

[JsonConverter(typeof(SnakeCaseEnumConverter<OrderSource>))]
public enum OrderSource { Store, Keap }

/// <summary>How a numeric date whose first two parts could each be the day (<c>05/06/2026</c>) is read: day first or month first.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<DateOrder>))]
public enum DateOrder { Dmy, Mdy }

[JsonConverter(typeof(SnakeCaseEnumConverter<LineKind>))]
public enum LineKind { Product, Shipping, Tax, Discount, Fee }

/// <summary>Canonical payment state: what <c>status_mismatch</c> compares.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<PaymentState>))]
public enum PaymentState { Draft, Unpaid, PartiallyPaid, Paid, PartiallyRefunded, Refunded, Cancelled, Failed }

[JsonConverter(typeof(SnakeCaseEnumConverter<Category>))]
public enum Category
{
    MissingInKeap,
    MissingInStore,
    DuplicateInStore,
    DuplicateInKeap,
    AmountMismatch,
    CurrencyMismatch,
    StatusMismatch,
    EmailMismatch,
    DateMismatch,
    LineItemsMismatch,
    ProbableMatch,
}

[JsonConverter(typeof(SnakeCaseEnumConverter<Severity>))]
public enum Severity { Critical, High, Medium, Low }

/// <summary>
/// One line of an order as ingested. Money is exact decimal. <c>unitPrice</c> is the price per unit
/// as the source states it: before the line's <c>discount</c>, and including tax only when the
/// order says <c>taxesIncluded</c>.
/// </summary>
/// <remarks>
/// <c>productId</c> is the source system's own id: kept for people, never compared across systems.
/// </remarks>
public sealed record OrderLine(
    string? Sku,
    string? ProductId,
    string? Name,
    decimal Quantity,
    decimal UnitPrice,
    decimal? LineTotal = null,
    LineKind Kind = LineKind.Product)
{
    /// <summary>The discount on the whole line (a positive amount), when the source gives it per line.</summary>
    public decimal? Discount { get; init; }
    /// <summary>The tax on the whole line, when the source gives it per line.</summary>
    public decimal? Tax { get; init; }
    /// <summary>The quantity first ordered, when an edit changed it (<c>quantity</c> is what the order holds now; 0 = removed).</summary>
    public decimal? OriginalQuantity { get; init; }
}

/// <summary>
/// An order as stored, before normalization. Its <c>orderDate</c> is an instant; in the engine's API a
/// <c>DateTime</c> of kind Unspecified is a wall-clock time read in the settings' <c>timezone</c>.
/// </summary>
public sealed record CanonicalOrder
{
    public required string OrderId { get; init; }
    public string? OrderNumber { get; init; }
    public string? CustomerEmail { get; init; }
    public string? CustomerName { get; init; }
    public DateTime? OrderDate { get; init; }
    public string? Currency { get; init; }
    public decimal Total { get; init; }
    public decimal? Subtotal { get; init; }
    public decimal? Tax { get; init; }
    public decimal? Shipping { get; init; }
    public decimal? Discount { get; init; }
    public decimal? AmountPaid { get; init; }
    public decimal? AmountRefunded { get; init; }
    public string? Status { get; init; }
    public string? PaymentReference { get; init; }
    public DateTime? UpdatedAt { get; init; }
    /// <summary>When the record was created in its own system (Keap's <c>creation_date</c>); the order date may be set by hand.</summary>
    public DateTime? CreatedAt { get; init; }
    /// <summary>The store platform the order comes from (<c>shopify</c>, <c>woocommerce</c>, <c>bigcommerce</c>), when known.</summary>
    public string? Platform { get; init; }
    /// <summary>Whether line unit prices include tax (Shopify <c>taxes_included</c>); null when the source does not say.</summary>
    public bool? TaxesIncluded { get; init; }
    /// <summary>The currency the buyer paid in, when it differs from <c>currency</c> (Shopify presentment money).</summary>
    public string? PresentmentCurrency { get; init; }
    /// <summary>The total in <c>presentmentCurrency</c>.</summary>
    public decimal? PresentmentTotal { get; init; }
    /// <summary>How Keap got the order (<c>source_type</c>: API, MANUAL_PAYMENT, INVOICE, CHECKOUT_FORM, …).</summary>
    public string? SourceType { get; init; }
    /// <summary>The lines as sent; empty when the source sent none, and then lines are not compared.</summary>
    public IReadOnlyList<OrderLine> Lines { get; init; } = [];
}

/// <summary>
/// The report window <c>[From, To)</c> in UTC; orders outside it are context only. <paramref name="Zone"/> is where the
/// result's <see cref="ReconciliationResult.Days"/> begin and end (UTC when null).
/// </summary>
public readonly record struct ReconcileWindow(DateTime From, DateTime To, TimeZoneInfo? Zone = null);

/// <summary>
/// One local day of a run's window, as the run counted it: the orders of each side dated that day and their total,
/// the store orders that found their Keap record and those missing in Keap (pending ones are neither). The days add up
/// to the run's own counts. <paramref name="Complete"/>: the window covers the whole day.
/// </summary>
public sealed record DayCounts(DateOnly Date, bool Complete, int StoreOrders, int KeapOrders, decimal StoreRevenue, decimal KeapRevenue, int Matched, int MissingInKeap);

public sealed record Cause(string Code, string Explanation);

/// <summary>What to write where to fix a discrepancy; <see cref="Values"/> is JSON-serializable.</summary>
public sealed record SuggestedAction(string Code, string System, IReadOnlyDictionary<string, object?> Values);

public sealed record LineDifference(string Line, string Kind, decimal? StoreQuantity, decimal? KeapQuantity, decimal? StoreUnitPrice, decimal? KeapUnitPrice);

/// <summary>One discrepancy found by a reconciliation: category + order key (+ the extra record for duplicates) is its identity.</summary>
public sealed record Finding
{
    public required Category Category { get; init; }
    public required Severity Severity { get; init; }
    public required string OrderKey { get; init; }
    public string? StoreOrderId { get; init; }
    public string? KeapOrderId { get; init; }
    /// <summary>For duplicates: the extra record's order id (part of the identity).</summary>
    public string? DuplicateOrderId { get; init; }
    public string? CustomerEmail { get; init; }
    public DateTime? OrderDate { get; init; }
    public string? Field { get; init; }
    public string? StoreValue { get; init; }
    public string? KeapValue { get; init; }
    public decimal? Difference { get; init; }
    public decimal Impact { get; init; }
    public string? Currency { get; init; }
    public required Cause Cause { get; init; }
    public required SuggestedAction SuggestedAction { get; init; }
    public IReadOnlyList<LineDifference> LineDifferences { get; init; } = [];
    /// <summary>For probable matches: the fuzzy score in [0, 1].</summary>
    public double? MatchScore { get; init; }

    public string IdentityKey => DuplicateOrderId is null
        ? $"{Category}|{OrderKey}"
        : $"{Category}|{OrderKey}|{DuplicateOrderId}";
}

/// <summary>An unpaired order younger than the settle time at the run's cut-off: not reported yet.</summary>
public sealed record PendingOrder(OrderSource Source, string OrderId, string? OrderKey, DateTime OrderDate);

/// <summary>
/// How far one side's newest order trails: <c>behindHours</c> behind the other side's newest order,
/// <c>behindCutoffHours</c> behind the run's cut-off. <c>newestOrder</c> is null when the side has no dated order.
/// </summary>
public sealed record SyncLag(DateTime? NewestOrder, double? BehindHours, double? BehindCutoffHours);

/// <summary>
/// What a reconciliation found. Counts and revenue are of the orders whose date lies in the window (all
/// orders without one). <see cref="MatchRate"/> is the share of the store orders that should be in Keap
/// (matched or missing, not pending) that found their Keap record. <see cref="NotExpectedInKeap"/> counts
/// store orders Keap is not expected to have (never paid), <see cref="NotExpectedInStore"/> Keap drafts.
/// </summary>
public sealed record ReconciliationResult
{
    public required int StoreOrders { get; init; }
    public required int KeapOrders { get; init; }
    public required decimal StoreRevenue { get; init; }
    public required decimal KeapRevenue { get; init; }
    public required int Matched { get; init; }
    public required decimal? MatchRate { get; init; }
    /// <summary>The instant the run looks from: the earlier of the window's end and the run's start (else the newest order).</summary>
    public required DateTime? Cutoff { get; init; }
    /// <summary>Unpaired orders dated after this are pending: <see cref="Cutoff"/> less the settle time.</summary>
    public required DateTime? PendingAfter { get; init; }
    public required IReadOnlyList<PendingOrder> PendingOrders { get; init; }
    public int Pending => PendingOrders.Count;
    public required int NotExpectedInKeap { get; init; }
    public required int NotExpectedInStore { get; init; }
    public required SyncLag StoreSyncLag { get; init; }
    public required SyncLag KeapSyncLag { get; init; }
    /// <summary>The money at stake over all findings, each difference counted once (a pair's line difference is not added to its total's).</summary>
    public required decimal Impact { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    /// <summary>The window's local days (in <see cref="ReconcileWindow.Zone"/>); empty without a window.</summary>
    public IReadOnlyList<DayCounts> Days { get; init; } = [];
}
