using System.Runtime.InteropServices;

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
        var c = x.Severity.CompareTo(y.Severity); // Critical is 0
        if (c != 0) return c;
        c = y.Impact.CompareTo(x.Impact);
        if (c != 0) return c;
        c = x.Category.CompareTo(y.Category);
        if (c != 0) return c;
        c = string.CompareOrdinal(x.OrderKey, y.OrderKey);
        return c != 0 ? c : string.CompareOrdinal(x.DuplicateOrderId, y.DuplicateOrderId);
    }

    /// <summary>
    /// Sorts like <see cref="BySeverityThenImpact"/>, but on compact keys: the first eight characters of
    /// the order key are packed into two integers, so most comparisons never touch a finding or a string.
    /// </summary>
    internal static void Sort(Finding[] findings, Parallelism parallelism)
    {
        var keys = new SortKey[findings.Length];
        for (var i = 0; i < findings.Length; i++)
            keys[i] = new SortKey(findings[i], i);
        var sorted = new Finding[findings.Length];
        if (keys.Length < parallelism.From * 6)
        {
            keys.AsSpan().Sort(static (a, b) => a.CompareTo(b));
            for (var i = 0; i < keys.Length; i++)
                sorted[i] = findings[keys[i].Index];
        }
        else
        {
            // Two halves sorted on two cores, then merged.
            var mid = keys.Length / 2;
            Parallel.Invoke(
                () => keys.AsSpan(0, mid).Sort(static (a, b) => a.CompareTo(b)),
                () => keys.AsSpan(mid).Sort(static (a, b) => a.CompareTo(b)));
            int l = 0, r = mid, o = 0;
            while (l < mid && r < keys.Length)
                sorted[o++] = findings[(keys[r].CompareTo(keys[l]) < 0 ? keys[r++] : keys[l++]).Index];
            while (l < mid)
                sorted[o++] = findings[keys[l++].Index];
            while (r < keys.Length)
                sorted[o++] = findings[keys[r++].Index];
        }
        sorted.AsSpan().CopyTo(findings);
    }

    [StructLayout(LayoutKind.Auto)]
    readonly struct SortKey(Finding f, int index)
    {
        readonly decimal _impact = f.Impact;
        readonly ulong _prefix1 = Pack(f.OrderKey, 0), _prefix2 = Pack(f.OrderKey, 4);
        readonly Finding _finding = f;
        readonly byte _severity = (byte)f.Severity, _category = (byte)f.Category;
        public readonly int Index = index;

        public int CompareTo(in SortKey o)
        {
            var c = _severity.CompareTo(o._severity);
            if (c != 0) return c;
            c = o._impact.CompareTo(_impact);
            if (c != 0) return c;
            c = _category.CompareTo(o._category);
            if (c != 0) return c;
            c = _prefix1.CompareTo(o._prefix1);
            if (c != 0) return c;
            c = _prefix2.CompareTo(o._prefix2);
            if (c != 0) return c;
            c = string.CompareOrdinal(_finding.OrderKey, o._finding.OrderKey);
            return c != 0 ? c : string.CompareOrdinal(_finding.DuplicateOrderId, o._finding.DuplicateOrderId);
        }

        /// <summary>Four UTF-16 units from <paramref name="start"/>, first one most significant, missing ones 0: ordinal order.</summary>
        static ulong Pack(string s, int start)
        {
            ulong v = 0;
            for (var i = start; i < start + 4; i++)
                v = (v << 16) | (i < s.Length ? s[i] : 0u);
            return v;
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
