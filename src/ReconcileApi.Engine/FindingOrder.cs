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
        // Enums compared as integers: Enum.CompareTo(object) would box both sides on every comparison.
        var c = ((int)x.Severity).CompareTo((int)y.Severity); // Critical is 0
        if (c != 0) return c;
        c = y.Impact.CompareTo(x.Impact);
        if (c != 0) return c;
        c = ((int)x.Category).CompareTo((int)y.Category);
        if (c != 0) return c;
        c = string.CompareOrdinal(x.OrderKey, y.OrderKey);
        return c != 0 ? c : string.CompareOrdinal(x.DuplicateOrderId, y.DuplicateOrderId);
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
