namespace ReconcileApi.Engine;

/// <summary>How findings are listed: most severe first, then most money at stake, then by identity.</summary>
public sealed class FindingOrder : IComparer<Finding>
{
    public static FindingOrder BySeverityThenImpact { get; } = new();

    public int Compare(Finding? x, Finding? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return 1;
        if (y is null) return -1;
        return new Keyed(x).CompareTo(new Keyed(y));
    }

    /// <summary>
    /// The findings in this order. The fields compared first are copied beside each finding, so most comparisons
    /// read one array instead of two objects anywhere on the heap (a million-order run sorts ~180k findings).
    /// </summary>
    internal static Finding[] Sorted(IReadOnlyList<Finding> findings)
    {
        var keyed = new Keyed[findings.Count];
        for (var i = 0; i < keyed.Length; i++)
            keyed[i] = new Keyed(findings[i]);
        Array.Sort(keyed);
        var sorted = new Finding[keyed.Length];
        for (var i = 0; i < keyed.Length; i++)
            sorted[i] = keyed[i].Finding;
        return sorted;
    }

    readonly struct Keyed(Finding finding) : IComparable<Keyed>
    {
        // Enums kept as integers: Enum.CompareTo(object) would box both sides on every comparison.
        readonly int _severity = (int)finding.Severity; // Critical is 0
        readonly int _category = (int)finding.Category;
        readonly decimal _impact = finding.Impact;
        // The key's first eight characters: equal severity, money and category (a zero-impact email or date
        // finding) are ordered by key, and most keys differ there.
        readonly ulong _key0 = Packed(finding.OrderKey, 0), _key1 = Packed(finding.OrderKey, 4);
        public Finding Finding { get; } = finding;

        /// <summary>
        /// Four UTF-16 units from <paramref name="from"/>, the first highest, missing ones as 0: when two differ, they
        /// order as <see cref="string.CompareOrdinal(string, string)"/> does the whole strings.
        /// </summary>
        static ulong Packed(string? s, int from)
        {
            var packed = 0UL;
            for (var i = from; i < from + 4; i++)
                packed = packed << 16 | (s is not null && i < s.Length ? s[i] : 0UL);
            return packed;
        }

        public int CompareTo(Keyed other)
        {
            var c = _severity.CompareTo(other._severity);
            if (c != 0) return c;
            c = other._impact.CompareTo(_impact);
            if (c != 0) return c;
            c = _category.CompareTo(other._category);
            if (c != 0) return c;
            c = _key0.CompareTo(other._key0);
            if (c != 0) return c;
            c = _key1.CompareTo(other._key1);
            if (c != 0) return c;
            c = string.CompareOrdinal(Finding.OrderKey, other.Finding.OrderKey);
            return c != 0 ? c : string.CompareOrdinal(Finding.DuplicateOrderId, other.Finding.DuplicateOrderId);
        }
    }
}

public static class SeverityRules
{
    /// <summary>
    /// Money categories take their severity from the impact (thresholds in settings); email, date and
    /// probable-match findings move no money by themselves and are low.
    /// </summary>
    public static Severity For(Category category, decimal impact, SeverityThresholds t) => category switch
    {
        Category.EmailMismatch or Category.DateMismatch or Category.ProbableMatch => Severity.Low,
        _ when impact >= t.Critical => Severity.Critical,
        _ when impact >= t.High => Severity.High,
        _ when impact >= t.Medium => Severity.Medium,
        _ => Severity.Low,
    };
}
