using System.Globalization;

namespace ReconcileApi.Engine;

/// <summary>
/// Compares one paired store and Keap order field by field. Allocation-free when they agree: a
/// <see cref="Finding"/> is built only for an actual discrepancy, at most one per category.
/// Amounts are compared only in one currency: a Keap copy in another currency is one
/// <c>currency_mismatch</c>, explained when it is the buyer's (presentment) currency.
/// </summary>
internal sealed class PairComparer(ReconcileSettings settings, LineComparison lines, Actions actions, TimeZoneInfo? zone)
{
    readonly long _dateTolerance = (long)(settings.DateToleranceHours * TimeSpan.TicksPerHour);
    readonly SeverityThresholds _thresholds = settings.SeverityThresholds;

    /// <summary>Whether the normalized forms already show the pair agrees on everything compared.</summary>
    public bool QuickSame(in NormalizedOrder s, in NormalizedOrder k) =>
        s.Total == k.Total
        && (s.Lines == k.Lines || s.Lines == 0 || k.Lines == 0)
        && (s.Email == k.Email || s.Email == 0 || k.Email == 0)
        && (s.Currency == k.Currency || s.Currency == 0 || k.Currency == 0)
        && (s.State == k.State && s.Payment == k.Payment || s.State is null || k.State is null)
        && (s.Ticks == Normalizer.NoDate || k.Ticks == Normalizer.NoDate || Math.Abs(s.Ticks - k.Ticks) <= _dateTolerance);

    /// <summary>How the Keap copy's money relates to the store's.</summary>
    enum Basis
    {
        /// <summary>One currency (or one side does not say which).</summary>
        Same,
        /// <summary>Keap holds the buyer's presentment money: comparable through the order's own rate.</summary>
        Presentment,
        /// <summary>Another currency, no rate known: amounts are not comparable.</summary>
        Foreign,
    }

    public void Compare(string key, CanonicalOrder s, CanonicalOrder k, in NormalizedOrder sn, in NormalizedOrder kn, List<Finding> findings)
    {
        var basis = BasisOf(s, k, sn, kn);
        // Keap's amounts in the store's currency, where they can be converted.
        var rate = basis switch
        {
            Basis.Same => 1m,
            Basis.Presentment => s.Total / s.PresentmentTotal!.Value,
            _ => (decimal?)null,
        };

        // Lines first: whether they differ tells an edit after the sync from other causes of a total's difference.
        var (storeValue, keapValue) = (0m, 0m);
        var diffs = sn.Lines != kn.Lines && sn.Lines != 0 && kn.Lines != 0
            ? lines.Differences(s, k, comparePrices: basis == Basis.Same, out storeValue, out keapValue)
            : null;
        var linesDiffer = diffs is { Count: > 0 };

        if (basis == Basis.Same)
        {
            var diff = s.Total - k.Total;
            if (Math.Abs(diff) > Allowance(s.Total, k.Total))
                findings.Add(Make(Category.AmountMismatch, key, s, k, sn, Fields.Total, AmountText.Show(s.Total, s.Currency ?? k.Currency), AmountText.Show(k.Total, s.Currency ?? k.Currency), s.Total, k.Total,
                    diff, Math.Abs(diff), Causes.Amount(s, k, lines, settings.AmountTolerance, linesDiffer)));
        }
        else
            findings.Add(CurrencyMismatch(key, s, k, sn, basis, rate));

        if (sn.State is { } ss && kn.State is { } ks && Payments.Compare(s, k, ss, ks, rate, settings.AmountTolerance) is { } payment)
            findings.Add(Make(Category.StatusMismatch, key, s, k, sn, Fields.Status, payment.StoreValue, payment.KeapValue,
                payment.StoreWrite, payment.KeapWrite, null, payment.Impact, payment.Cause));
        if (sn.Email != kn.Email && sn.Email != 0 && kn.Email != 0 && !Emails.Same(s.CustomerEmail, k.CustomerEmail))
        {
            var (sv, kv) = (s.CustomerEmail!.Trim(), k.CustomerEmail!.Trim());
            findings.Add(Make(Category.EmailMismatch, key, s, k, sn, Fields.Email, sv, kv, sv, kv, null, 0m,
                new Cause(CauseCodes.Unknown, $"The Keap order belongs to a contact with another email ({kv} instead of {sv}): it was attached to an existing contact, or the customer checked out as a guest.")));
        }
        if (sn.Ticks != Normalizer.NoDate && kn.Ticks != Normalizer.NoDate && Math.Abs(sn.Ticks - kn.Ticks) > _dateTolerance)
        {
            var (sv, kv) = (Actions.Iso(sn.Ticks), Actions.Iso(kn.Ticks));
            findings.Add(Make(Category.DateMismatch, key, s, k, sn, Fields.OrderDate, sv, kv, sv, kv, null, 0m, Causes.Date(sn.Ticks, kn.Ticks, zone)));
        }
        if (linesDiffer)
        {
            // Money at stake is the net difference of the differing lines: a renamed SKU at the same price puts nothing at stake.
            var impact = rate is { } r ? Math.Abs(storeValue - keapValue * r) : storeValue;
            // Only the side that is right is written to the other, so only its items are built.
            var storeIsRight = actions.TruthOf(Fields.Lines) == OrderSource.Store;
            findings.Add(Make(Category.LineItemsMismatch, key, s, k, sn, Fields.Lines, Summary(diffs!, true, s.Currency), Summary(diffs!, false, k.Currency ?? s.Currency),
                storeIsRight ? actions.Items(s, OrderSource.Store) : null, storeIsRight ? null : actions.Items(k, OrderSource.Keap),
                null, Math.Round(impact, 2), Causes.Lines(diffs!, lines, s, k)) with
            {
                LineDifferences = diffs!,
            });
        }
    }

    static Basis BasisOf(CanonicalOrder s, CanonicalOrder k, in NormalizedOrder sn, in NormalizedOrder kn)
    {
        var presentment = s.PresentmentCurrency is { } pc && s.PresentmentTotal is > 0m && !SameCurrency(pc, s.Currency)
            && Currencies.PlausibleRate(s.Total / s.PresentmentTotal.Value);
        if (sn.Currency == kn.Currency || sn.Currency == 0 || SameCurrency(s.Currency, k.Currency))
            return Basis.Same;
        if (kn.Currency == 0)
            // Keap v1 has no currency: its amount says which one it is in.
            return presentment && Math.Abs(k.Total - s.PresentmentTotal!.Value) < Math.Abs(k.Total - s.Total) ? Basis.Presentment : Basis.Same;
        return presentment && SameCurrency(s.PresentmentCurrency, k.Currency) ? Basis.Presentment : Basis.Foreign;
    }

    static bool SameCurrency(string? a, string? b) => a.AsSpan().Trim().Equals(b.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);

    Finding CurrencyMismatch(string key, CanonicalOrder s, CanonicalOrder k, in NormalizedOrder sn, Basis basis, decimal? rate)
    {
        var keapCurrency = k.Currency ?? s.PresentmentCurrency;
        Cause cause;
        decimal impact;
        if (basis == Basis.Presentment)
        {
            var presentment = s.PresentmentTotal!.Value;
            var diff = presentment - k.Total;
            var same = Math.Abs(diff) <= Allowance(presentment, k.Total);
            impact = same ? 0m : Math.Round(Math.Abs(diff) * rate!.Value, 2);
            cause = new Cause(CauseCodes.PresentmentCurrency, same
                ? string.Create(CultureInfo.InvariantCulture, $"Keap has the order in the buyer's currency: {AmountText.Show(k.Total, keapCurrency)} {keapCurrency}, the amount the buyer paid, where the store books {AmountText.Show(s.Total, s.Currency)} {s.Currency}. The amounts agree; only the currency basis differs.")
                : string.Create(AmountText.In(keapCurrency), $"Keap has the order in the buyer's currency ({k.Total} {keapCurrency}) but the buyer paid {presentment} {keapCurrency}: {Math.Abs(diff)} {keapCurrency} (about {AmountText.Show(impact, s.Currency)} {s.Currency}) apart."));
        }
        else
        {
            // Amounts in different currencies are never subtracted: the whole order is booked in the wrong currency.
            impact = s.Total;
            cause = new Cause(CauseCodes.Unknown, string.Create(CultureInfo.InvariantCulture,
                $"The store order is {AmountText.Show(s.Total, s.Currency)} {s.Currency} and the Keap order {AmountText.Show(k.Total, k.Currency)} {k.Currency}: the order is booked in another currency, so its amounts cannot be compared."));
        }
        var finding = Make(Category.CurrencyMismatch, key, s, k, sn, Fields.Currency, s.Currency, keapCurrency, s.Currency, k.Currency, null, impact, cause);
        return basis == Basis.Presentment ? finding with { SuggestedAction = Actions.ReviewField(Fields.Currency, s, k, s.Currency, keapCurrency) } : finding;
    }

    /// <summary>Totals closer than this are equal: the absolute tolerance or the percentage of the larger total, whichever is wider.</summary>
    decimal Allowance(decimal a, decimal b) => settings.AmountTolerancePercent == 0
        ? settings.AmountTolerance
        : Math.Max(settings.AmountTolerance, Math.Max(Math.Abs(a), Math.Abs(b)) * settings.AmountTolerancePercent / 100m);

    Finding Make(Category category, string key, CanonicalOrder s, CanonicalOrder k, in NormalizedOrder sn, string field,
        string? storeValue, string? keapValue, object? storeWrite, object? keapWrite, decimal? difference, decimal impact, Cause cause) => new()
    {
        Category = category,
        Severity = SeverityRules.For(category, impact, _thresholds),
        OrderKey = key,
        StoreOrderId = s.OrderId,
        KeapOrderId = k.OrderId,
        CustomerEmail = (Emails.IsBlank(s.CustomerEmail) ? k.CustomerEmail : s.CustomerEmail)?.Trim(),
        OrderDate = ReconciliationRun.Date(sn.Ticks),
        Field = field,
        StoreValue = storeValue,
        KeapValue = keapValue,
        Difference = difference,
        Impact = impact,
        Currency = s.Currency ?? k.Currency,
        Cause = cause,
        SuggestedAction = actions.Update(field, s, k, storeWrite, keapWrite),
    };

    static string Summary(List<LineDifference> diffs, bool store, string? currency)
    {
        var parts = new List<string>(diffs.Count);
        foreach (var d in diffs)
        {
            var (q, p) = store ? (d.StoreQuantity, d.StoreUnitPrice) : (d.KeapQuantity, d.KeapUnitPrice);
            if (q is not null)
                parts.Add(string.Create(AmountText.In(currency), $"{d.Line} x{q:0.####} @ {p}"));
        }
        return string.Join("; ", parts);
    }

    /// <summary>Whether two records of one source are copies of each other (a retried create).</summary>
    public static bool SameRecord(CanonicalOrder a, CanonicalOrder b)
    {
        if (a.Total != b.Total || !Emails.Same(a.CustomerEmail, b.CustomerEmail)
            || !string.Equals(a.Currency, b.Currency, StringComparison.OrdinalIgnoreCase) || a.Lines.Count != b.Lines.Count)
            return false;
        for (var i = 0; i < a.Lines.Count; i++)
        {
            var (x, y) = (a.Lines[i], b.Lines[i]);
            if (x.Quantity != y.Quantity || x.UnitPrice != y.UnitPrice || x.Kind != y.Kind
                || !string.Equals(x.Sku, y.Sku, StringComparison.OrdinalIgnoreCase) || !string.Equals(x.Name, y.Name, StringComparison.Ordinal))
                return false;
        }
        return true;
    }
}
