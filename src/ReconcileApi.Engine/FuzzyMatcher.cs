using System.Globalization;

namespace ReconcileApi.Engine;

/// <summary>A pair the fuzzy pass proposes: <see cref="Score"/> in [0, 1] and the reasons for it.</summary>
internal readonly record struct FuzzyPair(int Store, int Keap, double Score, string Reasons);

/// <summary>
/// Pairs the residue that keys did not pair: candidates share a normalized email and lie within a
/// day (or the date tolerance, if larger); the score weighs email 0.4, amount 0.4 and date 0.2.
/// A pair is kept when it scores at least the threshold and each side is the other's single best
/// candidate, so no record is paired twice and input order does not matter.
/// </summary>
internal static class FuzzyMatcher
{
    const double EmailWeight = 0.4, AmountWeight = 0.4, DateWeight = 0.2, Epsilon = 1e-9;

    struct Best
    {
        public int Other;
        public double Score;
        public bool Tied;
    }

    public static List<FuzzyPair> Pair(
        IReadOnlyList<CanonicalOrder> store, NormalizedOrder[] storeNorm, List<int> storeResidue,
        IReadOnlyList<CanonicalOrder> keap, NormalizedOrder[] keapNorm, List<int> keapResidue,
        ReconcileSettings settings, Normalizer storeNormalizer, Normalizer keapNormalizer)
    {
        var pairs = new List<FuzzyPair>();
        if (storeResidue.Count == 0 || keapResidue.Count == 0)
            return pairs;
        // Blocks by the email fingerprint from normalization; a candidate's email is then checked exactly.
        var byEmail = new Dictionary<ulong, List<int>>(keapResidue.Count);
        foreach (var k in keapResidue)
        {
            var email = keapNorm[k].Email;
            if (email == 0)
                continue;
            if (!byEmail.TryGetValue(email, out var block))
                byEmail[email] = block = [];
            block.Add(k);
        }
        // A large block in date order (undated first: NoDate is the least value), so an order's candidates are the undated and
        // those within a day of it, found by halving: one email on thousands of orders (a point of sale's placeholder) costs
        // each order its day's candidates, not the whole block. Most blocks hold an order or two and are scanned.
        foreach (var block in byEmail.Values)
        {
            if (block.Count > ScanUpTo)
                block.Sort((x, y) => keapNorm[x].Ticks.CompareTo(keapNorm[y].Ticks));
        }
        var blockTicks = (long)(Math.Max(settings.DateToleranceHours, 24) * TimeSpan.TicksPerHour);
        var bestStore = new Dictionary<int, Best>();
        var bestKeap = new Dictionary<int, Best>();
        foreach (var s in storeResidue)
        {
            if (storeNorm[s].Email == 0 || !byEmail.TryGetValue(storeNorm[s].Email, out var block))
                continue;
            var st = storeNorm[s].Ticks;
            int undated = 0, from = 0, to = block.Count;
            if (block.Count > ScanUpTo && st != Normalizer.NoDate)
            {
                undated = FirstAtOrAfter(block, keapNorm, Normalizer.NoDate + 1);
                from = Math.Max(undated, FirstAtOrAfter(block, keapNorm, st - blockTicks));
                to = FirstAtOrAfter(block, keapNorm, st > long.MaxValue - blockTicks ? long.MaxValue : st + blockTicks + 1);
            }
            // Each order is read once here: the service's lists decode an order every time it is read.
            var so = store[s];
            for (var pass = 0; pass < 2; pass++)
            {
                var (lo, hi) = pass == 0 ? (0, undated) : (from, to);
                for (var i = lo; i < hi; i++)
                {
                    var k = block[i];
                    var kt = keapNorm[k].Ticks;
                    if (st != Normalizer.NoDate && kt != Normalizer.NoDate && Math.Abs(st - kt) > blockTicks)
                        continue;
                    var ko = keap[k];
                    if (!Emails.Same(so.CustomerEmail, ko.CustomerEmail))
                        continue;
                    var score = Score(so, ko, st, kt, settings);
                    if (score + Epsilon < settings.FuzzyThreshold)
                        continue;
                    Offer(bestStore, s, k, score);
                    Offer(bestKeap, k, s, score);
                }
            }
        }
        foreach (var (s, b) in bestStore)
        {
            if (!b.Tied && bestKeap.TryGetValue(b.Other, out var kb) && !kb.Tied && kb.Other == s)
            {
                var (so, ko) = (store[s], keap[b.Other]);
                pairs.Add(new(s, b.Other, Math.Round(b.Score, 4), Reasons(so, ko, storeNorm[s], keapNorm[b.Other], settings, storeNormalizer.Key(so), keapNormalizer.Key(ko))));
            }
        }
        return pairs;
    }

    /// <summary>Blocks up to this size are scanned whole; larger ones are sorted by date and halved.</summary>
    const int ScanUpTo = 32;

    /// <summary>The first index of <paramref name="block"/> (in date order) whose order is dated at or after <paramref name="ticks"/>.</summary>
    static int FirstAtOrAfter(List<int> block, NormalizedOrder[] norm, long ticks)
    {
        var (lo, hi) = (0, block.Count);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (norm[block[mid]].Ticks < ticks)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    static void Offer(Dictionary<int, Best> best, int me, int other, double score)
    {
        if (!best.TryGetValue(me, out var b) || score > b.Score + Epsilon)
            best[me] = new Best { Other = other, Score = score };
        else if (Math.Abs(score - b.Score) <= Epsilon && other != b.Other)
            best[me] = b with { Tied = true };
    }

    internal static double Score(CanonicalOrder s, CanonicalOrder k, long st, long kt, ReconcileSettings settings) =>
        EmailWeight + AmountWeight * AmountScore(s.Total, k.Total, settings.AmountTolerance) + DateWeight * DateScore(st, kt, settings.DateToleranceHours);

    static double AmountScore(decimal a, decimal b, decimal tolerance)
    {
        var diff = Math.Abs(a - b);
        if (diff <= tolerance)
            return 1;
        var scale = Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), 0.01m);
        // 10 % apart or more scores nothing.
        return Math.Max(0, 1 - (double)(diff / scale) * 10);
    }

    static double DateScore(long st, long kt, double toleranceHours)
    {
        if (st == Normalizer.NoDate || kt == Normalizer.NoDate)
            return 0;
        var hours = Math.Abs(st - kt) / (double)TimeSpan.TicksPerHour;
        return Math.Max(0, 1 - hours / Math.Max(toleranceHours, 1));
    }

    static string Reasons(CanonicalOrder s, CanonicalOrder k, NormalizedOrder sn, NormalizedOrder kn, ReconcileSettings settings, string? storeKey, string? keapKey)
    {
        var diff = s.Total - k.Total;
        var amount = Math.Abs(diff) <= settings.AmountTolerance ? "the same total" : string.Create(AmountText.In(s.Currency ?? k.Currency), $"totals {diff} apart");
        var date = sn.Ticks == Normalizer.NoDate || kn.Ticks == Normalizer.NoDate
            ? "no date to compare"
            : string.Create(CultureInfo.InvariantCulture, $"dates {Math.Abs(sn.Ticks - kn.Ticks) / (double)TimeSpan.TicksPerHour:0.#} h apart");
        var refs = (storeKey, keapKey) switch
        {
            (null, null) => "neither has a usable reference",
            (null, var kk) => $"the store order has no usable reference (Keap says '{kk}')",
            (var sk, null) => $"the Keap order has no usable reference (store says '{sk}')",
            var (sk, kk) => $"their references differ ('{sk}' vs '{kk}')",
        };
        return $"same email, {amount}, {date}; {refs}";
    }
}

internal static class Emails
{
    public static bool IsBlank(string? email) => email.AsSpan().Trim().IsEmpty;

    /// <summary>
    /// Equal after trimming, ignoring case, canonically (<see cref="CanonicalText"/>): case, spaces and how an accent was
    /// typed ("zoë" as one letter or as e and a combining mark) are never a discrepancy, as <see cref="Fingerprint.OfFolded"/> has it.
    /// </summary>
    public static bool Same(string? a, string? b)
    {
        var x = a.AsSpan().Trim();
        var y = b.AsSpan().Trim();
        if (x.Equals(y, StringComparison.OrdinalIgnoreCase))
            return true;
        var (dx, dy) = (CanonicalText.Decomposed(x), CanonicalText.Decomposed(y));
        return (dx is not null || dy is not null)
            && (dx ?? x.ToString()).Equals(dy ?? y.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
