using System.Globalization;

namespace ReconcileApi.Engine;

/// <summary>
/// What an order's payment amounts say, in its own currency: paid, still to collect (total less paid, not below 0), and
/// given back. Where the source gives no amount, the payment state implies one (paid → the total, unpaid → 0)
/// or none (partially paid, partially refunded: unknown).
/// </summary>
internal readonly record struct PaymentPosition(decimal? Paid, decimal? Outstanding, decimal? Refunded)
{
    public decimal? Kept => Paid - Refunded;

    public static PaymentPosition Of(CanonicalOrder o, PaymentState? state) => Of(o.Total, o.AmountPaid, o.AmountRefunded, state);

    /// <summary>The position of an order of <paramref name="total"/> with the amounts paid and refunded as given (null: not said) and its state.</summary>
    public static PaymentPosition Of(decimal total, decimal? amountPaid, decimal? amountRefunded, PaymentState? state)
    {
        var paid = amountPaid ?? state switch
        {
            PaymentState.Paid or PaymentState.PartiallyRefunded or PaymentState.Refunded => total,
            PaymentState.PartiallyPaid or null => (decimal?)null,
            _ => 0m,
        };
        var refunded = amountRefunded ?? state switch
        {
            PaymentState.Refunded => paid,
            PaymentState.PartiallyRefunded => null,
            _ => 0m,
        };
        // Paid beyond the total (a payment of the store's amount on a Keap copy without its tax lines) leaves
        // nothing to collect; the amount finding carries that difference.
        return new(paid, paid is { } p ? Math.Max(0m, total - p) : null, refunded);
    }
}

/// <summary>
/// Compares the payment of a paired store and Keap order. Money at stake is what one side was paid or gave
/// back that the other does not show: the payment one side received that the other lacks (see
/// <see cref="PaymentGap"/>) plus the difference in what was refunded. Totals that differ for another reason
/// (tax not synced) put nothing at stake here — the amount finding carries them.
/// </summary>
internal static class Payments
{
    /// <summary>
    /// The payment finding of a pair, or null when the two agree: the same state and the same money (or money
    /// not known). <c>rate</c> converts Keap's amounts to the store's currency (1 in one currency; null: not convertible).
    /// </summary>
    public static (Cause Cause, decimal Impact, string StoreValue, string KeapValue, object StoreWrite, object KeapWrite)? Compare(
        CanonicalOrder s, CanonicalOrder k, PaymentState ss, PaymentState ks, decimal? rate, decimal tolerance)
    {
        var (sp, kp) = (PaymentPosition.Of(s, ss), PaymentPosition.Of(k, ks));
        var refundGap = sp.Refunded - kp.Refunded * rate;
        var collectGap = PaymentGap(sp.Paid - kp.Paid * rate, kp.Outstanding * rate - sp.Outstanding);
        decimal? stake = refundGap is { } r && collectGap is { } c ? Math.Round(Math.Abs(r) + Math.Abs(c), 2) : null;
        var (sn, kn) = (StatusMap.CanonicalName(ss), StatusMap.CanonicalName(ks));
        if (ss == ks || AllGivenBack(ss, sp) && AllGivenBack(ks, kp) || PartlyGivenBack(ss, sp) && PartlyGivenBack(ks, kp))
        {
            if (stake is not { } same || same <= tolerance)
                return null;
            // One state, other money: show the amounts, and write them.
            return (CauseOf(same), same, Amounts(sn, sp, s.Currency ?? k.Currency), Amounts(kn, kp, k.Currency ?? s.Currency), Write(sn, sp), Write(kn, kp));
        }
        return (CauseOf(stake), stake ?? Fallback(), sn, kn, sn, kn);

        Cause CauseOf(decimal? impact)
        {
            if (ss == PaymentState.Cancelled && ks is PaymentState.Unpaid or PaymentState.Draft && (impact ?? 0) <= tolerance)
                return new(CauseCodes.RefundNotPropagated, $"The store order was cancelled but Keap still has it open ({kn}): the cancellation did not reach Keap; no money was taken.");
            if (refundGap > tolerance)
                return new(CauseCodes.RefundNotPropagated, Text($"The store gave {refundGap} back to the customer ({sn}) that Keap does not show ({kn}, {Keap(kp.Refunded ?? 0m)} refunded): the refund did not reach Keap."));
            if (ss is PaymentState.Refunded or PaymentState.PartiallyRefunded or PaymentState.Cancelled && ks is PaymentState.Paid or PaymentState.PartiallyPaid)
                return new(CauseCodes.RefundNotPropagated, Text($"The store order is {sn} but Keap still has it {kn}: the refund or cancellation did not reach Keap."));
            if (collectGap > tolerance || (impact is null && ss is PaymentState.Paid or PaymentState.PartiallyRefunded or PaymentState.PartiallyPaid
                && ks is PaymentState.Unpaid or PaymentState.Draft or PaymentState.PartiallyPaid))
                return new(CauseCodes.PaymentNotRecorded, Text($"The store order is {sn} but Keap has it {kn} with {Keap(k.AmountPaid ?? 0m)} of {Keap(k.Total)} paid: {collectGap ?? s.Total - (k.AmountPaid ?? 0m)} of payment was not recorded in Keap."));
            return new(CauseCodes.Unknown, Text($"The store says {sn} ({(sp.Paid is { } sPaid ? AmountText.Show(sPaid, s.Currency ?? k.Currency) : "?")} paid) and Keap says {kn} ({(kp.Paid is { } kPaid ? Keap(kPaid) : "?")} paid); {(impact is { } i ? AmountText.Show(i, s.Currency ?? k.Currency) : "an unknown amount")} of payment differs."));
        }

        // A sentence's amounts are the store's (converted at the rate), but for what it quotes from Keap.
        string Text(FormattableString text) => text.ToString(AmountText.In(s.Currency ?? k.Currency));
        string Keap(decimal amount) => AmountText.Show(amount, k.Currency ?? s.Currency);

        // Amounts unknown: what the states themselves put at stake.
        decimal Fallback() => ss is PaymentState.Refunded or PaymentState.PartiallyRefunded or PaymentState.Cancelled && ks is PaymentState.Paid or PaymentState.PartiallyPaid
            ? s.AmountRefunded is > 0m and var back ? back : s.Total
            : ss is PaymentState.Paid && ks is PaymentState.Unpaid or PaymentState.Draft or PaymentState.PartiallyPaid
                ? Math.Max(0m, s.Total - (k.AmountPaid ?? 0m))
                : s.Total;
    }

    /// <summary>
    /// Refunded, or cancelled with everything paid given back: one state of the money under two names (a BigCommerce order
    /// cancelled after its refund keeps status 5 where Keap's copy says refunded); they differ only by their money.
    /// </summary>
    static bool AllGivenBack(PaymentState state, PaymentPosition p) =>
        state == PaymentState.Refunded || state == PaymentState.Cancelled && p.Paid > 0m && p.Kept == 0m;

    /// <summary>
    /// Partially refunded, or cancelled with part of the payment given back and the rest kept (a Shopify order cancelled
    /// with a partial refund: <c>cancelled_at</c> set, <c>financial_status</c> partially_refunded): one state of the money too.
    /// </summary>
    static bool PartlyGivenBack(PaymentState state, PaymentPosition p) =>
        state == PaymentState.PartiallyRefunded || state == PaymentState.Cancelled && p.Refunded > 0m && p.Kept > 0m;

    /// <summary>
    /// Payment the store received that Keap does not show (negative: the reverse). Seen as money received and as
    /// money still to collect, the two agree when the totals do; when the totals differ, the part both views share
    /// is the payment's and the rest is the totals' (reported by the amount finding): two unpaid orders of 20 and
    /// 35 differ in what is to collect, not in payment.
    /// </summary>
    static decimal? PaymentGap(decimal? received, decimal? toCollect)
    {
        if (received is not { } r || toCollect is not { } c)
            return received ?? toCollect;
        return Math.Sign(r) != Math.Sign(c) ? 0m : Math.Sign(r) * Math.Min(Math.Abs(r), Math.Abs(c));
    }

    static readonly string[] WriteNames = ["status", "amountPaid", "amountRefunded"];

    static string Amounts(string state, PaymentPosition p, string? currency) =>
        string.Create(AmountText.In(currency), $"{state}: {p.Paid} paid, {p.Refunded} refunded");

    static ActionValues Write(string state, PaymentPosition p) => new(WriteNames, state, p.Paid, p.Refunded);
}
