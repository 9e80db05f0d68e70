using System.Globalization;

namespace ReconcileApi.Engine;

/// <summary>
/// Compares one paired store and Keap order field by field. Allocation-free when they agree: a
/// <see cref="Finding"/> is built only for an actual discrepancy, at most one per category.
/// </summary>
internal sealed class PairComparer(ReconcileSettings settings, LineComparison lines, Actions actions)
{
    readonly long _dateTolerance = (long)(settings.DateToleranceHours * TimeSpan.TicksPerHour);
    readonly SeverityThresholds _thresholds = settings.SeverityThresholds;

    /// <summary>Whether the normalized forms already show the pair agrees on everything compared.</summary>
    public bool QuickSame(in NormalizedOrder s, in NormalizedOrder k) =>
        s.Total == k.Total
        && s.Lines == k.Lines
        && (s.Email == k.Email || s.Email == 0 || k.Email == 0)
        && (s.Currency == k.Currency || s.Currency == 0 || k.Currency == 0)
        && (s.State == k.State || s.State is null || k.State is null)
        && (s.Ticks == Normalizer.NoDate || k.Ticks == Normalizer.NoDate || Math.Abs(s.Ticks - k.Ticks) <= _dateTolerance);

    public void Compare(string key, CanonicalOrder s, CanonicalOrder k, in NormalizedOrder sn, in NormalizedOrder kn, List<Finding> findings)
    {
        var diff = s.Total - k.Total;
        if (Math.Abs(diff) > Allowance(s.Total, k.Total))
        {
            var productLines = 0;
            foreach (var l in s.Lines)
                if (lines.IsCompared(l)) productLines++;
            findings.Add(Make(Category.AmountMismatch, key, s, k, sn, Fields.Total, Money(s.Total), Money(k.Total), s.Total, k.Total,
                diff, Math.Abs(diff), Causes.Amount(s, k, productLines, settings.AmountTolerance)));
        }
        if (sn.Currency != kn.Currency && sn.Currency != 0 && kn.Currency != 0
            && !s.Currency.AsSpan().Trim().Equals(k.Currency.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase))
        {
            findings.Add(Make(Category.CurrencyMismatch, key, s, k, sn, Fields.Currency, s.Currency, k.Currency, s.Currency, k.Currency,
                null, s.Total, new Cause(CauseCodes.Unknown, $"The store order is in {s.Currency} and the Keap order in {k.Currency}: shop and presentment currency may have been mixed up.")));
        }
        if (sn.State is { } ss && kn.State is { } ks && ss != ks)
        {
            var (cause, impact) = Causes.Status(s, k, ss, ks);
            var (sv, kv) = (StatusMap.CanonicalName(ss), StatusMap.CanonicalName(ks));
            findings.Add(Make(Category.StatusMismatch, key, s, k, sn, Fields.Status, sv, kv, sv, kv, null, impact, cause));
        }
        if (sn.Email != kn.Email && sn.Email != 0 && kn.Email != 0 && !Emails.Same(s.CustomerEmail, k.CustomerEmail))
        {
            var (sv, kv) = (s.CustomerEmail!.Trim(), k.CustomerEmail!.Trim());
            findings.Add(Make(Category.EmailMismatch, key, s, k, sn, Fields.Email, sv, kv, sv, kv, null, 0m,
                new Cause(CauseCodes.Unknown, $"The Keap order belongs to a contact with another email ({kv} instead of {sv}): it was attached to an existing contact, or the customer checked out as a guest.")));
        }
        if (sn.Ticks != Normalizer.NoDate && kn.Ticks != Normalizer.NoDate && Math.Abs(sn.Ticks - kn.Ticks) > _dateTolerance)
        {
            var (sv, kv) = (Actions.Iso(sn.Ticks), Actions.Iso(kn.Ticks));
            findings.Add(Make(Category.DateMismatch, key, s, k, sn, Fields.OrderDate, sv, kv, sv, kv, null, 0m, Causes.Date(sn.Ticks, kn.Ticks)));
        }
        if (sn.Lines != kn.Lines && !lines.SameLines(s.Lines, k.Lines) && lines.Differences(s.Lines, k.Lines) is { Count: > 0 } diffs)
        {
            var impact = 0m;
            foreach (var d in diffs)
                impact += Math.Abs((d.StoreQuantity ?? 0) * (d.StoreUnitPrice ?? 0) - (d.KeapQuantity ?? 0) * (d.KeapUnitPrice ?? 0));
            // Only the side that is right is written to the other, so only its items are built.
            var storeIsRight = actions.TruthOf(Fields.Lines) == OrderSource.Store;
            findings.Add(Make(Category.LineItemsMismatch, key, s, k, sn, Fields.Lines, Summary(diffs, true), Summary(diffs, false),
                storeIsRight ? actions.Items(s.Lines, OrderSource.Store) : null, storeIsRight ? null : actions.Items(k.Lines, OrderSource.Keap),
                null, impact, Causes.Lines(diffs, lines, s.Lines)) with
            {
                LineDifferences = diffs,
            });
        }
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

    static string Money(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    static string Summary(List<LineDifference> diffs, bool store)
    {
        var parts = new List<string>(diffs.Count);
        foreach (var d in diffs)
        {
            var (q, p) = store ? (d.StoreQuantity, d.StoreUnitPrice) : (d.KeapQuantity, d.KeapUnitPrice);
            if (q is not null)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{d.Line} x{q} @ {p}"));
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
