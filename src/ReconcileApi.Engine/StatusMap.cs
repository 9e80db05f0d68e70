using System.Collections.Frozen;

namespace ReconcileApi.Engine;

/// <summary>
/// Raw status → canonical <see cref="PaymentState"/> for one source: built-in defaults (DOMAIN.md
/// table), the canonical names themselves, then the settings' overrides; case-insensitive.
/// </summary>
public sealed class StatusMap
{
    /// <summary>Shopify <c>financial_status</c> defaults.</summary>
    public static IReadOnlyDictionary<string, PaymentState> Shopify { get; } = new Dictionary<string, PaymentState>(StringComparer.OrdinalIgnoreCase)
    {
        ["pending"] = PaymentState.Unpaid,
        ["authorized"] = PaymentState.Unpaid,
        ["expired"] = PaymentState.Unpaid,
        ["partially_paid"] = PaymentState.PartiallyPaid,
        ["paid"] = PaymentState.Paid,
        ["partially_refunded"] = PaymentState.PartiallyRefunded,
        ["refunded"] = PaymentState.Refunded,
        ["voided"] = PaymentState.Cancelled,
    };

    /// <summary>WooCommerce order <c>status</c> defaults.</summary>
    public static IReadOnlyDictionary<string, PaymentState> WooCommerce { get; } = new Dictionary<string, PaymentState>(StringComparer.OrdinalIgnoreCase)
    {
        ["checkout-draft"] = PaymentState.Draft,
        ["pending"] = PaymentState.Unpaid,
        ["on-hold"] = PaymentState.Unpaid,
        ["processing"] = PaymentState.Paid,
        ["completed"] = PaymentState.Paid,
        ["refunded"] = PaymentState.Refunded,
        ["cancelled"] = PaymentState.Cancelled,
        ["trash"] = PaymentState.Cancelled,
        ["failed"] = PaymentState.Failed,
    };

    /// <summary>The status the BigCommerce reader gives an order the merchant archived (<c>is_deleted</c>; BigCommerce has no status for it).</summary>
    public const string BigCommerceArchived = "Deleted";

    /// <summary>
    /// Statuses of orders the merchant deleted (WooCommerce's trash; BigCommerce's archived orders): not expected in the
    /// other system, paid or not (DOMAIN). Their state (cancelled) still compares with a copy the other system has.
    /// </summary>
    static readonly FrozenSet<string> Deleted = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "trash", BigCommerceArchived);

    /// <summary>BigCommerce order <c>status</c> defaults.</summary>
    public static IReadOnlyDictionary<string, PaymentState> BigCommerce { get; } = new Dictionary<string, PaymentState>(StringComparer.OrdinalIgnoreCase)
    {
        ["Incomplete"] = PaymentState.Draft,
        ["Pending"] = PaymentState.Unpaid,
        ["Awaiting Payment"] = PaymentState.Unpaid,
        ["Manual Verification Required"] = PaymentState.Unpaid,
        ["Awaiting Fulfillment"] = PaymentState.Paid,
        ["Awaiting Shipment"] = PaymentState.Paid,
        ["Awaiting Pickup"] = PaymentState.Paid,
        ["Shipped"] = PaymentState.Paid,
        ["Partially Shipped"] = PaymentState.Paid,
        ["Completed"] = PaymentState.Paid,
        ["Partially Refunded"] = PaymentState.PartiallyRefunded,
        ["Refunded"] = PaymentState.Refunded,
        ["Cancelled"] = PaymentState.Cancelled,
        [BigCommerceArchived] = PaymentState.Cancelled,
        ["Declined"] = PaymentState.Failed,
    };

    /// <summary>Keap status labels; any other label is <see cref="PaymentState.Unpaid"/>, and amounts refine it.</summary>
    public static IReadOnlyDictionary<string, PaymentState> Keap { get; } = new Dictionary<string, PaymentState>(StringComparer.OrdinalIgnoreCase)
    {
        ["DRAFT"] = PaymentState.Draft,
        ["SENT"] = PaymentState.Unpaid,
        ["VIEWED"] = PaymentState.Unpaid,
        ["UNPAID"] = PaymentState.Unpaid,
        ["PAID"] = PaymentState.Paid,
    };

    readonly FrozenDictionary<string, PaymentState> _map;
    readonly FrozenDictionary<string, PaymentState>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    readonly OrderSource _source;

    public StatusMap(OrderSource source, IReadOnlyDictionary<string, PaymentState>? overrides)
    {
        _source = source;
        var map = new Dictionary<string, PaymentState>(StringComparer.OrdinalIgnoreCase);
        foreach (var state in Enum.GetValues<PaymentState>())
            map[CanonicalName(state)] = state;
        var defaults = source == OrderSource.Keap ? [Keap] : new[] { Shopify, WooCommerce, BigCommerce };
        foreach (var table in defaults)
            foreach (var (raw, state) in table)
                map[raw] = state;
        if (overrides is not null)
            foreach (var (raw, state) in overrides)
                map[raw.Trim()] = state;
        _map = map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _lookup = _map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The snake_case wire name of a state ("partially_paid").</summary>
    public static string CanonicalName(PaymentState state) => state switch
    {
        PaymentState.Draft => "draft",
        PaymentState.Unpaid => "unpaid",
        PaymentState.PartiallyPaid => "partially_paid",
        PaymentState.Paid => "paid",
        PaymentState.PartiallyRefunded => "partially_refunded",
        PaymentState.Refunded => "refunded",
        PaymentState.Cancelled => "cancelled",
        _ => "failed",
    };

    /// <summary>
    /// The canonical state of an order of this map's source, or null when a store status is absent or
    /// unknown (then status is not compared). Keap: unknown labels are unpaid, and amounts decide
    /// paid-ness; store: a paid order with refunds is (partially) refunded, one with nothing paid unpaid.
    /// </summary>
    public PaymentState? Map(CanonicalOrder order) => Map(order.Total, order.AmountPaid, order.AmountRefunded, Label(order.Status));

    /// <summary>The state a raw label alone maps to (null: absent or unknown).</summary>
    internal PaymentState? Label(string? raw) => raw is not null && _lookup.TryGetValue(raw.AsSpan().Trim(), out var s) ? s : null;

    /// <summary>
    /// <see cref="Map(CanonicalOrder)"/> from the amounts alone, the label already looked up: the order of <paramref name="total"/>,
    /// paid and refunded as given (the normalize pass reads them without building the order, <see cref="OrderFacts"/>).
    /// </summary>
    internal PaymentState? Map(decimal total, decimal? paid, decimal? refunded, PaymentState? label) =>
        _source == OrderSource.Keap ? KeapState(total, paid, refunded, label ?? PaymentState.Unpaid) : StoreState(total, paid, refunded, label);

    /// <summary>
    /// Whether an order of <paramref name="source"/> is one the other system is not expected to have: a
    /// store order never paid (draft, failed, or cancelled with nothing kept) or put in WooCommerce's trash (the merchant
    /// deleted it, paid or not), a Keap draft (a quote).
    /// </summary>
    public static bool OnlyHere(OrderSource source, CanonicalOrder o, PaymentState? state) => source == OrderSource.Store
        ? state is PaymentState.Draft or PaymentState.Failed || (state == PaymentState.Cancelled && PaymentPosition.Of(o, state).Kept <= 0)
            || (o.Status is { } status && Deleted.Contains(status.Trim()))
        : state == PaymentState.Draft;

    static PaymentState KeapState(decimal total, decimal? amountPaid, decimal? amountRefunded, PaymentState label)
    {
        var refunded = amountRefunded ?? 0m;
        if (refunded > 0)
            return amountPaid is { } p && refunded < p ? PaymentState.PartiallyRefunded : PaymentState.Refunded;
        if (amountPaid is not { } paid || paid <= 0)
            return label;
        return paid >= total ? PaymentState.Paid : PaymentState.PartiallyPaid;
    }

    static PaymentState? StoreState(decimal total, decimal? amountPaid, decimal? amountRefunded, PaymentState? label)
    {
        if (label == PaymentState.Paid && amountRefunded is > 0m and var refunded)
            return refunded < total ? PaymentState.PartiallyRefunded : PaymentState.Refunded;
        // A status that says paid while the source says nothing was taken: WooCommerce puts a cash-on-delivery order in
        // processing before the courier collects ("payment won't be taken until delivery").
        if (label == PaymentState.Paid && amountPaid == 0m && total > 0m)
            return PaymentState.Unpaid;
        return label;
    }
}
