using System.Globalization;

namespace ReconcileApi.Engine;

/// <summary>The cause codes the engine can hint (<see cref="Cause.Code"/>).</summary>
public static class CauseCodes
{
    public const string TaxOrShippingNotSynced = "tax_or_shipping_not_synced";
    public const string DiscountNotSynced = "discount_not_synced";
    public const string Rounding = "rounding";
    public const string TimezoneShift = "timezone_shift";
    public const string SyncLag = "sync_lag";
    public const string RetryDuplicate = "retry_duplicate";
    public const string RefundNotPropagated = "refund_not_propagated";
    public const string PaymentNotRecorded = "payment_not_recorded";
    public const string UnmappedSku = "unmapped_sku";
    /// <summary>A store order no Keap order refers to: the sync failed or skipped it.</summary>
    public const string NotSynced = "not_synced";
    /// <summary>A Keap order without any store reference: made by hand, by invoice or checkout form.</summary>
    public const string CreatedInKeap = "created_in_keap";
    /// <summary>The two records look alike but their references do not pair them.</summary>
    public const string ReferenceMismatch = "reference_mismatch";
    public const string Unknown = "unknown";
}

/// <summary>Reads a likely cause from the numbers of a discrepancy.</summary>
internal static class Causes
{
    const long TicksPerMinute = TimeSpan.TicksPerMinute;

    public static Cause Amount(CanonicalOrder s, CanonicalOrder k, int productLines, decimal tolerance)
    {
        var diff = s.Total - k.Total;
        var abs = Math.Abs(diff);
        var (tax, shipping, discount) = (s.Tax ?? 0m, s.Shipping ?? 0m, s.Discount ?? 0m);
        bool Near(decimal x) => x > 0 && Math.Abs(abs - x) <= tolerance;
        if (diff > 0 && Near(tax + shipping) && tax > 0 && shipping > 0)
            return new(CauseCodes.TaxOrShippingNotSynced, string.Create(CultureInfo.InvariantCulture, $"The Keap total {k.Total} is the store total {s.Total} less tax {tax} and shipping {shipping}: those lines were not synced to Keap."));
        if (diff > 0 && Near(tax))
            return new(CauseCodes.TaxOrShippingNotSynced, string.Create(CultureInfo.InvariantCulture, $"The Keap total {k.Total} is the store total {s.Total} less tax {tax}: the tax line was not synced to Keap."));
        if (diff > 0 && Near(shipping))
            return new(CauseCodes.TaxOrShippingNotSynced, string.Create(CultureInfo.InvariantCulture, $"The Keap total {k.Total} is the store total {s.Total} less shipping {shipping}: the shipping line was not synced to Keap."));
        if (diff < 0 && Near(discount))
            return new(CauseCodes.DiscountNotSynced, string.Create(CultureInfo.InvariantCulture, $"The Keap total {k.Total} exceeds the store total {s.Total} by the discount {discount}: the discount was not synced to Keap."));
        if (abs <= 0.01m * Math.Max(1, productLines) + tolerance)
            return new(CauseCodes.Rounding, string.Create(CultureInfo.InvariantCulture, $"The totals differ by {abs} over {Math.Max(1, productLines)} line(s): per-line rounding."));
        return new(CauseCodes.Unknown, string.Create(CultureInfo.InvariantCulture, $"The store total {s.Total} and the Keap total {k.Total} differ by {diff}."));
    }

    public static (Cause Cause, decimal Impact) Status(CanonicalOrder s, CanonicalOrder k, PaymentState ss, PaymentState ks)
    {
        var (sn, kn) = (StatusMap.CanonicalName(ss), StatusMap.CanonicalName(ks));
        if (ss is PaymentState.Refunded or PaymentState.PartiallyRefunded or PaymentState.Cancelled
            && ks is PaymentState.Paid or PaymentState.PartiallyPaid)
        {
            var refunded = s.AmountRefunded is > 0m and var r ? r : s.Total;
            return (new(CauseCodes.RefundNotPropagated, string.Create(CultureInfo.InvariantCulture, $"The store order is {sn} ({refunded} back to the customer) but Keap still has it {kn}: the refund or cancellation did not reach Keap.")), refunded);
        }
        if (ss is PaymentState.Paid && ks is PaymentState.Unpaid or PaymentState.Draft or PaymentState.PartiallyPaid)
        {
            var unpaid = Math.Max(0m, s.Total - (k.AmountPaid ?? 0m));
            return (new(CauseCodes.PaymentNotRecorded, string.Create(CultureInfo.InvariantCulture, $"The store order is paid but Keap has it {kn} with {k.AmountPaid ?? 0m} of {k.Total} paid: the payment was not recorded in Keap.")), unpaid);
        }
        return (new(CauseCodes.Unknown, string.Create(CultureInfo.InvariantCulture, $"The store says {sn} and Keap says {kn}.")), s.Total);
    }

    public static Cause Date(long storeTicks, long keapTicks)
    {
        var delta = keapTicks - storeTicks;
        var minutes = Math.Abs(delta) / (double)TicksPerMinute;
        var hours = Math.Round(minutes / 60);
        if (hours is >= 1 and <= 14 && Math.Abs(minutes - hours * 60) <= 1)
            return new(CauseCodes.TimezoneShift, string.Create(CultureInfo.InvariantCulture, $"The dates are exactly {hours} h apart: a time without offset was read in the wrong time zone."));
        if (delta > 0)
            return new(CauseCodes.SyncLag, string.Create(CultureInfo.InvariantCulture, $"The Keap date is {minutes / 60:0.#} h after the store date: Keap probably stamped the order when it was synced."));
        return new(CauseCodes.Unknown, string.Create(CultureInfo.InvariantCulture, $"The Keap date is {minutes / 60:0.#} h before the store date."));
    }

    public static Cause Lines(IReadOnlyList<LineDifference> diffs, LineComparison lines, IReadOnlyList<OrderLine> storeLines)
    {
        var missing = diffs.FirstOrDefault(d => d.Kind == LineComparison.Missing);
        var extra = diffs.FirstOrDefault(d => d.Kind == LineComparison.Extra);
        if (missing is not null && extra is not null)
        {
            var storeSku = storeLines.FirstOrDefault(l => string.Equals(l.Sku?.Trim(), missing.Line, StringComparison.OrdinalIgnoreCase))?.Sku;
            if (storeSku is not null && !lines.IsMapped(storeSku))
                return new(CauseCodes.UnmappedSku, $"The store SKU '{missing.Line}' has no entry in the SKU map and Keap has '{extra.Line}' instead.");
        }
        var kinds = string.Join(", ", diffs.GroupBy(d => d.Kind).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key.Replace('_', ' ')}")));
        return new(CauseCodes.Unknown, $"The line items differ: {kinds}.");
    }

    public static Cause Duplicate(CanonicalOrder primary, CanonicalOrder extra, long primaryTicks, long extraTicks, bool identical, int windowMinutes, string system)
    {
        if (identical)
            return new(CauseCodes.RetryDuplicate, $"{system} has two identical records for this order ({primary.OrderId} and {extra.OrderId}): a retried create.");
        if (primaryTicks != Normalizer.NoDate && extraTicks != Normalizer.NoDate)
        {
            var minutes = Math.Abs(extraTicks - primaryTicks) / (double)TicksPerMinute;
            if (minutes <= windowMinutes)
                return new(CauseCodes.RetryDuplicate, string.Create(CultureInfo.InvariantCulture, $"{system} record {extra.OrderId} was created {minutes:0.#} min after {primary.OrderId} with the same reference: a retried create."));
        }
        return new(CauseCodes.Unknown, $"{system} has more than one record ({primary.OrderId}, {extra.OrderId}) with this reference.");
    }
}
