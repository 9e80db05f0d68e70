using System.Globalization;

namespace ReconcileApi.Engine;

/// <summary>The cause codes the engine can hint (<see cref="Cause.Code"/>).</summary>
public static class CauseCodes
{
    public const string TaxOrShippingNotSynced = "tax_or_shipping_not_synced";
    public const string DiscountNotSynced = "discount_not_synced";
    /// <summary>
    /// Keap is lower by discount items the store order does not have: a gift card, store credit or gift certificate — a
    /// payment, which leaves the store's total whole — booked in Keap as a discount.
    /// </summary>
    public const string TenderBookedAsDiscount = "tender_booked_as_discount";
    /// <summary>Keap added tax on top of prices that already included it.</summary>
    public const string TaxCountedTwice = "tax_counted_twice";
    /// <summary>The store order was edited after its Keap copy was made.</summary>
    public const string EditedAfterSync = "edited_after_sync";
    /// <summary>Keap holds the buyer's (presentment) money instead of the shop's.</summary>
    public const string PresentmentCurrency = "presentment_currency";
    /// <summary>The other side has received no order since before this one: its sync stopped.</summary>
    public const string SyncStopped = "sync_stopped";
    public const string Rounding = "rounding";
    public const string TimezoneShift = "timezone_shift";
    /// <summary>Keap has the order's day without its time, stamped at midnight (manual payments, imports of dates).</summary>
    public const string MidnightStamp = "midnight_stamp";
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

    public static Cause Amount(CanonicalOrder s, CanonicalOrder k, LineComparison lines, decimal tolerance, bool linesDiffer)
    {
        var diff = s.Total - k.Total;
        var money = AmountText.In(s.Currency ?? k.Currency);
        var abs = Math.Abs(diff);
        var (tax, shipping, discount) = (s.Tax ?? 0m, s.Shipping ?? 0m, s.Discount ?? 0m);
        bool Near(decimal x) => x > 0 && Math.Abs(abs - x) <= tolerance;
        if (EditedAfterSync(s, k, linesDiffer) is { } edited)
            return new(CauseCodes.EditedAfterSync, string.Create(money, $"The store order was edited on {edited} after its Keap copy was made: the Keap total {k.Total} is from before the edit, the store total is now {s.Total}."));
        // Store credit, gift cards and gift certificates pay for an order (BigCommerce store_credit_amount and
        // gift_certificate_amount, Shopify's gift_card gateway) and leave its total whole; a connector with no Keap payment
        // type for them books them as DISCOUNT items, and Keap falls short by exactly the discount the store does not have.
        if (diff > 0 && (k.Discount ?? 0m) - discount is > 0m and var keapOnly && Near(keapOnly))
            return new(CauseCodes.TenderBookedAsDiscount, string.Create(money,
                $"The Keap total {k.Total} is the store total {s.Total} less a discount of {keapOnly} the store order does not have: a gift card, store credit or gift certificate that paid for the order was booked in Keap as a discount."));
        if (diff > 0 && NotSynced(s, k, tax, shipping, Near) is { } left)
            return new(CauseCodes.TaxOrShippingNotSynced, string.Create(money, $"The Keap total {k.Total} is the store total {s.Total} less {left}."));
        // Tax on top of tax-inclusive prices: the store says its prices include tax, or Keap carries a tax item of that amount.
        var keapTax = k.Lines.Where(l => l.Kind == LineKind.Tax).Sum(l => l.LineTotal ?? l.Quantity * l.UnitPrice);
        if (diff < 0 && Near(tax) && (s.TaxesIncluded == true || Math.Abs(keapTax - tax) <= tolerance || !Near(discount)))
            return new(CauseCodes.TaxCountedTwice, string.Create(money,
                $"The Keap total {k.Total} is the store total {s.Total} plus its tax {tax} again: {(s.TaxesIncluded == true ? "the store's prices already include tax" : "the tax was counted twice")}."));
        if (diff < 0 && Near(discount))
            return new(CauseCodes.DiscountNotSynced, string.Create(money, $"The Keap total {k.Total} exceeds the store total {s.Total} by the discount {discount}: the discount was not synced to Keap."));
        // A discount on taxed lines takes their tax down with it (WooCommerce's discount_tax): a Keap copy at the prices with tax
        // and without the coupon exceeds the store by the discount and that tax.
        if (diff < 0 && s.TaxesIncluded != true && DiscountTax(s) is > 0m and var discountTax && Near(discount + discountTax))
            return new(CauseCodes.DiscountNotSynced, string.Create(money,
                $"The Keap total {k.Total} exceeds the store total {s.Total} by the discount {discount} with its tax {discountTax}: the discount was not synced to Keap."));
        // Only the product lines at their prices before discounts reached Keap: the tax, shipping or fees are missing and so is the discount.
        if (discount > 0 && NotSynced(s, k, tax, shipping, x => Math.Abs(x - discount) > tolerance && Math.Abs(diff - (x - discount)) <= tolerance) is { } missing)
            return new(CauseCodes.TaxOrShippingNotSynced, string.Create(money,
                $"The Keap total {k.Total} is the store total {s.Total} less {missing}; nor was its discount {discount}: Keap has the line prices before discounts."));
        if (s.PresentmentTotal is { } presentment && !string.Equals(s.PresentmentCurrency, s.Currency, StringComparison.OrdinalIgnoreCase) && Math.Abs(presentment - k.Total) <= tolerance)
            return new(CauseCodes.PresentmentCurrency, string.Create(money, $"The Keap total {AmountText.Show(k.Total, s.PresentmentCurrency)} is what the buyer paid in {s.PresentmentCurrency}, booked as {k.Currency ?? s.Currency}; the store total is {s.Total} {s.Currency}."));
        // A cent per unit: tax and discounts are rounded per line or per unit.
        var units = Math.Max(1, s.Lines.Where(lines.IsCompared).Sum(l => Math.Abs(l.Quantity)));
        if (abs <= 0.01m * units + tolerance)
            return new(CauseCodes.Rounding, string.Create(money, $"The totals differ by {abs} over {units:0.####} unit(s): per-line or per-unit rounding."));
        return new(CauseCodes.Unknown, string.Create(money, $"The store total {s.Total} and the Keap total {k.Total} differ by {diff}."));
    }

    /// <summary>
    /// The tax the store's line discounts took off with them: each discounted product line's discount at the rate of its tax on
    /// what is left of it (line taxes are charged after discounts); 0 when no line states both.
    /// </summary>
    static decimal DiscountTax(CanonicalOrder s)
    {
        decimal sum = 0;
        foreach (var line in s.Lines)
            if (line is { Kind: LineKind.Product, Discount: > 0m and var discount, Tax: { } tax }
                && LineComparison.TaxRateAfterDiscount(line.Quantity * line.UnitPrice, discount, tax) is { } rate)
                sum += Math.Round(discount * rate, 2, MidpointRounding.AwayFromZero);
        return sum;
    }

    /// <summary>
    /// Which of the store's tax, shipping and fees (cash on delivery, gift wrap, handling) — order items a sync may leave
    /// out, alone or together — make up the amount Keap lacks, in words; null when none does. With tax-inclusive prices the
    /// shipping includes its own tax, which the order's tax counts already: with the tax, only the shipping's net amount is
    /// missing too.
    /// </summary>
    static string? NotSynced(CanonicalOrder s, CanonicalOrder k, decimal tax, decimal shipping, Func<decimal, bool> near)
    {
        var money = AmountText.In(s.Currency ?? k.Currency);
        var fees = s.Lines.Where(l => l.Kind == LineKind.Fee).Sum(l => l.LineTotal ?? l.Quantity * l.UnitPrice)
            - k.Lines.Where(l => l.Kind == LineKind.Fee).Sum(l => l.LineTotal ?? l.Quantity * l.UnitPrice);
        var netShipping = s.TaxesIncluded == true ? shipping - s.Lines.Where(l => l.Kind == LineKind.Shipping).Sum(l => l.Tax ?? 0m) : shipping;
        // Most items first: a gap of tax and shipping is not the shipping alone that happens to be near it.
        (bool Tax, bool Shipping, bool Fees)[] combinations =
            [(true, true, true), (true, true, false), (true, false, true), (false, true, true), (true, false, false), (false, true, false), (false, false, true)];
        foreach (var (withTax, withShipping, withFees) in combinations)
        {
            if ((withTax && tax <= 0) || (withShipping && shipping <= 0) || (withFees && fees <= 0))
                continue;
            var shipped = withShipping ? (withTax ? netShipping : shipping) : 0;
            if (!near((withTax ? tax : 0) + shipped + (withFees ? fees : 0)))
                continue;
            var parts = new List<string>(3);
            if (withTax)
                parts.Add(string.Create(money, $"tax {tax}"));
            if (withShipping)
                parts.Add(string.Create(money, $"shipping {shipped}") + (shipped == shipping ? "" : " before its tax"));
            if (withFees)
                parts.Add(string.Create(money, $"its fees {fees}"));
            return parts.Count == 1
                ? $"{parts[0]}: the {(withTax ? "tax line was" : withShipping ? "shipping line was" : "fee lines were")} not synced to Keap"
                : $"{string.Join(", ", parts[..^1])} and {parts[^1]}: those lines were not synced to Keap";
        }
        return null;
    }

    /// <summary>
    /// When the store order was edited after Keap's copy was created, the edit's time; else null. An edit is
    /// shown by a line whose quantity changed (<see cref="OrderLine.OriginalQuantity"/>), or — for a line an
    /// edit added, which carries no such mark — by lines that differ and an update at least an hour after the
    /// copy (not the minutes of a payment capture).
    /// </summary>
    /// <summary>Where <paramref name="ticks"/> (UTC) is exactly midnight: the workspace's zone, else UTC; null when neither.</summary>
    static string? MidnightIn(long ticks, TimeZoneInfo? zone)
    {
        if (zone is not null && TimeZoneInfo.ConvertTimeFromUtc(new DateTime(ticks, DateTimeKind.Utc), zone).TimeOfDay == TimeSpan.Zero)
            return zone.Id;
        return ticks % TimeSpan.TicksPerDay == 0 ? "UTC" : null;
    }

    public static string? EditedAfterSync(CanonicalOrder s, CanonicalOrder k, bool linesDiffer)
    {
        if (s.UpdatedAt is not { } updated || (k.CreatedAt ?? k.OrderDate) is not { } copied)
            return null;
        var marked = s.Lines.Any(l => l.OriginalQuantity is { } q && q != l.Quantity);
        if (!marked && !linesDiffer)
            return null;
        var (u, c) = (Utc(updated), Utc(copied));
        return u > c + (marked ? TimeSpan.Zero : TimeSpan.FromHours(1)) ? u.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : null;

        // Dates without an offset are wall-clock times; this only compares two, so reading both alike is enough.
        static DateTime Utc(DateTime d) => d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d;
    }

    /// <summary>Why the dates differ; a date Keap keeps without its time reads as midnight in the workspace's <paramref name="zone"/>.</summary>
    public static Cause Date(long storeTicks, long keapTicks, TimeZoneInfo? zone)
    {
        var delta = keapTicks - storeTicks;
        // Keap at midnight before the store order, less than a day before it: the same day, its time not kept.
        if (delta < 0 && -delta < TimeSpan.TicksPerDay && MidnightIn(keapTicks, zone) is { } where)
            return new(CauseCodes.MidnightStamp, $"The Keap date is midnight ({where}) of the store order's day: Keap has the day without the time, as manual payments and date-only imports are stamped.");
        var minutes = Math.Abs(delta) / (double)TicksPerMinute;
        var hours = Math.Round(minutes / 60);
        if (hours is >= 1 and <= 14 && Math.Abs(minutes - hours * 60) <= 1)
            return new(CauseCodes.TimezoneShift, string.Create(CultureInfo.InvariantCulture, $"The dates are exactly {hours} h apart: a time without offset was read in the wrong time zone."));
        if (delta > 0)
            return new(CauseCodes.SyncLag, string.Create(CultureInfo.InvariantCulture, $"The Keap date is {minutes / 60:0.#} h after the store date: Keap probably stamped the order when it was synced."));
        return new(CauseCodes.Unknown, string.Create(CultureInfo.InvariantCulture, $"The Keap date is {minutes / 60:0.#} h before the store date."));
    }

    public static Cause Lines(IReadOnlyList<LineDifference> diffs, LineComparison lines, CanonicalOrder s, CanonicalOrder k)
    {
        if (EditedAfterSync(s, k, linesDiffer: true) is { } edited)
            return new(CauseCodes.EditedAfterSync, $"The store order's lines were edited on {edited}, after its Keap copy was made: Keap still has the lines from before the edit.");
        var fees = s.Lines.Where(l => l.Kind == LineKind.Fee).Select(l => l.Sku?.Trim() is { Length: > 0 } sku ? sku : l.Name?.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (diffs.All(d => d.Kind == LineComparison.Missing && fees.Contains(d.Line)))
            return new(CauseCodes.TaxOrShippingNotSynced, $"Keap lacks the store's fee line(s) {string.Join(", ", diffs.Select(d => d.Line))}: fees, like shipping, were not synced to Keap.");
        var missing = diffs.FirstOrDefault(d => d.Kind == LineComparison.Missing);
        var extra = diffs.FirstOrDefault(d => d.Kind == LineComparison.Extra);
        if (missing is not null && extra is not null)
        {
            var storeSku = s.Lines.FirstOrDefault(l => string.Equals(l.Sku?.Trim(), missing.Line, StringComparison.OrdinalIgnoreCase))?.Sku;
            if (storeSku is not null && !lines.IsMapped(storeSku))
                return new(CauseCodes.UnmappedSku, $"The store SKU '{missing.Line}' has no entry in the SKU map and Keap has '{extra.Line}' instead.");
        }
        if (VariantsAsOneProduct(diffs) is { } mapped)
            return mapped;
        var kinds = string.Join(", ", diffs.GroupBy(d => d.Kind).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key.Replace('_', ' ')}")));
        return new(CauseCodes.Unknown, $"The line items differ: {kinds}.");
    }

    /// <summary>
    /// Keap has one line where the store has several variants of it: every missing store line is named the Keap line's
    /// product followed by its attributes ("Hoodie – Color: Black"), and together they are as many units as the Keap line.
    /// The store's variants were mapped to one Keap product (DOMAIN.md, "Lines/SKU"). Null otherwise.
    /// </summary>
    static Cause? VariantsAsOneProduct(IReadOnlyList<LineDifference> diffs)
    {
        if (diffs.Count(d => d.Kind == LineComparison.Extra) != 1 || diffs.Any(d => d.Kind != LineComparison.Extra && d.Kind != LineComparison.Missing))
            return null;
        var product = diffs.Single(d => d.Kind == LineComparison.Extra);
        var variants = diffs.Where(d => d.Kind == LineComparison.Missing).ToList();
        if (variants.Count < 2 || product.KeapQuantity is not { } units || variants.Sum(v => v.StoreQuantity ?? 0m) != units
            || !variants.TrueForAll(v => NamesAVariantOf(v.Line, product.Line)))
            return null;
        return new(CauseCodes.UnmappedSku, string.Create(CultureInfo.InvariantCulture,
            $"Keap has '{product.Line}' x{units} where the store has its variants {string.Join(", ", variants.Select(v => $"'{v.Line}'"))}: the variants were mapped to one Keap product."));

        // The product's name, then something that is not part of a word: the variant's attributes.
        static bool NamesAVariantOf(string variant, string name) =>
            name.Trim() is { Length: > 0 } n && variant.Length > n.Length && variant.StartsWith(n, StringComparison.OrdinalIgnoreCase) && !char.IsLetterOrDigit(variant[n.Length]);
    }

    /// <summary>Keap source types of orders made in Keap itself (by hand, by invoice, by checkout form).</summary>
    static readonly HashSet<string> MadeInKeap = new(StringComparer.OrdinalIgnoreCase) { "MANUAL_PAYMENT", "INVOICE", "CHECKOUT_FORM" };

    /// <summary>
    /// A Keap order without a store reference that nothing resembles. Made in Keap (its source type says
    /// so, or it has none and only a person's title): nothing to sync, so no money at stake and a review.
    /// Made through the API or an import without a reference: the whole order is unaccounted for.
    /// </summary>
    public static (Cause, decimal, SuggestedAction) NoReference(CanonicalOrder k, Actions actions)
    {
        var source = k.SourceType?.Trim();
        if (string.IsNullOrEmpty(source) || MadeInKeap.Contains(source))
        {
            var how = string.IsNullOrEmpty(source) ? "by hand, invoice or checkout form" : $"as {source}";
            return (new(CauseCodes.CreatedInKeap, string.Create(AmountText.In(k.Currency),
                $"Keap order {k.OrderId} ({k.Total}{(k.OrderNumber is { } t ? $", \"{t}\"" : "")}) was made in Keap {how} and carries no store reference: the store never had it.")),
                0m, actions.ReviewKeapOnly(k));
        }
        return (new(CauseCodes.Unknown, $"Keap order {k.OrderId} came in through {source} but carries no store reference, and no store order resembles it."),
            k.Total, actions.ReviewKeapOnly(k));
    }

    /// <summary>
    /// A Keap record made before the store order was last updated, beside <paramref name="current"/>, which matches the
    /// store: the edit reached Keap as a new order. Null when the store says no later update.
    /// </summary>
    public static Cause? StaleCopy(CanonicalOrder store, CanonicalOrder current, CanonicalOrder stale)
    {
        if (store.UpdatedAt is not { } edited || (stale.CreatedAt ?? stale.OrderDate) is not { } made || edited <= made)
            return null;
        return new(CauseCodes.EditedAfterSync, string.Create(AmountText.In(current.Currency ?? stale.Currency),
            $"Keap order {stale.OrderId} ({stale.Total}) is a copy made before the store order was edited on {edited:yyyy-MM-dd HH:mm}; Keap order {current.OrderId} ({current.Total}) matches the store as it is now."));
    }

    public static Cause Duplicate(CanonicalOrder primary, CanonicalOrder extra, long primaryTicks, long extraTicks, bool identical, int windowMinutes, string system)
    {
        // A retry repeats the same call: one copy made by a person in Keap (by hand, invoice or checkout form) beside one
        // that came another way was entered again, however alike the two are and however close in time.
        if (primary.SourceType?.Trim() is { Length: > 0 } first && extra.SourceType?.Trim() is { Length: > 0 } second
            && !string.Equals(first, second, StringComparison.OrdinalIgnoreCase) && (MadeInKeap.Contains(first) || MadeInKeap.Contains(second)))
        {
            var (byHand, other) = MadeInKeap.Contains(second) ? (extra, primary) : (primary, extra);
            return new(CauseCodes.CreatedInKeap, $"{system} record {byHand.OrderId} was made in Keap as {byHand.SourceType!.Trim()} for an order it also has as {other.OrderId} ({other.SourceType!.Trim()}): the order was entered twice, not a retried create.");
        }
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
