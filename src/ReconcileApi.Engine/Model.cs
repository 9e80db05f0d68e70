using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReconcileApi.Engine;

/// <summary>Writes enum values as snake_case strings (the wire convention) and reads them back.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;

[JsonConverter(typeof(SnakeCaseEnumConverter<OrderSource>))]
public enum OrderSource { Store, Keap }

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

/// <summary>One line of an order as ingested. Money is exact decimal.</summary>
public sealed record OrderLine(
    string? Sku,
    string? ProductId,
    string? Name,
    decimal Quantity,
    decimal UnitPrice,
    decimal? LineTotal = null,
    LineKind Kind = LineKind.Product);

/// <summary>
/// An order as stored, before normalization. <see cref="OrderDate"/> is an instant when its
/// <see cref="DateTime.Kind"/> is <see cref="DateTimeKind.Utc"/>; an <see cref="DateTimeKind.Unspecified"/>
/// value is a wall-clock time read in <see cref="ReconcileSettings.Timezone"/>.
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
    public IReadOnlyList<OrderLine> Lines { get; init; } = [];
}

/// <summary>The report window <c>[From, To)</c> in UTC; orders outside it are context only.</summary>
public readonly record struct ReconcileWindow(DateTime From, DateTime To)
{
    public bool Contains(DateTime? instant) => instant is { } t && t >= From && t < To;
}

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

public sealed record ReconciliationResult(
    int StoreOrders,
    int KeapOrders,
    int Matched,
    int Pending,
    IReadOnlyList<Finding> Findings);
