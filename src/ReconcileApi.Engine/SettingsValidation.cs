using System.Text.RegularExpressions;

namespace ReconcileApi.Engine;

internal static class SettingsValidation
{
    static readonly TimeSpan RegexCheckTimeout = TimeSpan.FromSeconds(1);
    /// <summary>A year: wider tolerances mean nothing and would overflow tick arithmetic.</summary>
    const int MaxHours = 24 * 366;

    public static IReadOnlyList<SettingsError> Validate(ReconcileSettings s)
    {
        var errors = new List<SettingsError>();
        CheckKeyPattern(errors, "storeKeyPattern", s.StoreKeyPattern);
        CheckKeyPattern(errors, "keapKeyPattern", s.KeapKeyPattern);
        if (s.AmountTolerance < 0)
            errors.Add(new("amountTolerance", "Must be zero or more."));
        if (s.AmountTolerancePercent is < 0 or > 100)
            errors.Add(new("amountTolerancePercent", "Must be between 0 and 100."));
        if (!double.IsFinite(s.DateToleranceHours) || s.DateToleranceHours is < 0 or > MaxHours)
            errors.Add(new("dateToleranceHours", $"Must be between 0 and {MaxHours} hours."));
        if (!TimeZones.TryFindName(s.Timezone, out _))
            errors.Add(new("timezone", $"'{s.Timezone}' is not a known IANA time zone."));
        if (s.DateOrder is { } order && !Enum.IsDefined(order))
            errors.Add(new("dateOrder", "Must be dmy, mdy, or null to reject dates such as 05/06/2026 whose order is ambiguous."));
        if (s.SettleMinutes is < 0 or > MaxHours * 60)
            errors.Add(new("settleMinutes", $"Must be between 0 and {MaxHours * 60} minutes."));
        if (s.DuplicateWindowMinutes is < 0 or > MaxHours * 60)
            errors.Add(new("duplicateWindowMinutes", $"Must be between 0 and {MaxHours * 60} minutes."));
        if (!double.IsFinite(s.FuzzyThreshold) || s.FuzzyThreshold is < 0 or > 1)
            errors.Add(new("fuzzyThreshold", "Must be between 0 and 1."));
        if (s.StoreName is not null && string.IsNullOrWhiteSpace(s.StoreName))
            errors.Add(new("storeName", "Must not be empty; leave it out (null) to take the name from each order's platform."));
        if (s.StatusMap is null)
            errors.Add(new("statusMap", "Must be an object (may be empty)."));
        else
            foreach (var (source, map) in s.StatusMap)
                if (map is null || map.Keys.Any(string.IsNullOrWhiteSpace))
                    errors.Add(new($"statusMap.{(source == OrderSource.Store ? "store" : "keap")}", map is null
                        ? "Must be an object of raw status → canonical state (may be empty)."
                        : "Raw statuses must not be empty."));
        if (s.SkuMap is null || s.SkuMap.Any(p => string.IsNullOrWhiteSpace(p.Key) || string.IsNullOrWhiteSpace(p.Value)))
            errors.Add(new("skuMap", "Store and Keap SKUs must not be empty."));
        if (s.IgnoreLineKinds is null)
            errors.Add(new("ignoreLineKinds", "Must be a list (may be empty)."));
        if (s.SourceOfTruth is null)
            errors.Add(new("sourceOfTruth", "Must be an object (may be empty)."));
        else
            foreach (var field in s.SourceOfTruth.Keys.Where(f => !Fields.All.Contains(f)))
                errors.Add(new($"sourceOfTruth.{field}", $"Unknown field; expected one of {string.Join(", ", Fields.All)}."));
        if (s.SeverityThresholds is not { } t)
            errors.Add(new("severityThresholds", "Must be an object."));
        else if (t.Medium < 0 || t.High < t.Medium || t.Critical < t.High)
            errors.Add(new("severityThresholds", "Must satisfy 0 <= medium <= high <= critical."));
        return errors;
    }

    /// <summary>Long enough for any real reference format; a longer pattern is a mistake or an attack.</summary>
    public const int MaxKeyPatternLength = 500;

    static void CheckKeyPattern(List<SettingsError> errors, string field, string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            errors.Add(new(field, "Must be a regular expression with exactly one capture group."));
            return;
        }
        // The defaults are read by hand (OrderKeyPattern), never run as regexes.
        if (pattern is ReconcileSettings.DefaultStoreKeyPattern or ReconcileSettings.DefaultKeapKeyPattern)
            return;
        if (pattern.Length > MaxKeyPatternLength)
        {
            errors.Add(new(field, $"Must be at most {MaxKeyPatternLength} characters; it is {pattern.Length}."));
            return;
        }
        try
        {
            var regex = new Regex(pattern, OrderKeyPattern.UserPatternOptions, RegexCheckTimeout);
            // Group 0 is the whole match; named groups count too.
            var groups = regex.GetGroupNumbers().Length - 1;
            if (groups != 1)
                errors.Add(new(field, $"Must have exactly one capture group; it has {groups}."));
        }
        catch (NotSupportedException)
        {
            errors.Add(new(field, "Uses a construct that cannot run in linear time (a lookaround, a backreference, an atomic or conditional group); " +
                "patterns run without backtracking so that none can stall a run. Write it without one."));
        }
        catch (ArgumentException e)
        {
            errors.Add(new(field, $"Not a valid regular expression: {e.Message}"));
        }
    }
}

/// <summary>The field names findings and <see cref="ReconcileSettings.SourceOfTruth"/> use.</summary>
public static class Fields
{
    public const string Total = "total";
    public const string Currency = "currency";
    public const string Status = "status";
    public const string Email = "email";
    public const string OrderDate = "orderDate";
    public const string Lines = "lines";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Total, Currency, Status, Email, OrderDate, Lines };
}
