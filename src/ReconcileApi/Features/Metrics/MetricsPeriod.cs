using System.Globalization;

namespace ReconcileApi.Features.Metrics;

/// <summary>
/// The days a metrics request covers, <c>from</c> to <c>to</c> inclusive, as dates in the workspace's timezone (default:
/// the 30 days up to today), and where each begins in UTC.
/// </summary>
public sealed record MetricsPeriod(DateOnly From, DateOnly To, TimeZoneInfo Zone)
{
    public const int DefaultDays = 30, MaxDays = 366;

    public DateTime StartUtc => StartOf(From);
    public DateTime EndUtc => StartOf(To.AddDays(1));
    public int Days => To.DayNumber - From.DayNumber + 1;

    public DateTime StartOf(DateOnly day) => TimeZones.ToUtc(day.ToDateTime(TimeOnly.MinValue), Zone);

    public DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, Zone));

    /// <summary>The period of the same length just before this one.</summary>
    public MetricsPeriod Previous => new(From.AddDays(-Days), From.AddDays(-1), Zone);

    public static async Task<(MetricsPeriod? Period, ValidationProblem? Problem)> ReadAsync(
        string? from, string? to, Guid workspaceId, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        TimeZones.TryFind(await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Timezone).SingleAsync(ct), out var zone);
        var errors = new Dictionary<string, string[]>();
        var last = Parse(to, "to", errors) ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone));
        var first = Parse(from, "from", errors) ?? last.AddDays(1 - DefaultDays);
        if (errors.Count == 0 && first > last)
            errors["from"] = ["Must be on or before 'to'."];
        else if (errors.Count == 0 && last.DayNumber - first.DayNumber + 1 > MaxDays)
            errors["from"] = [$"The period may span at most {MaxDays} days; ask for a year at a time."];
        return errors.Count > 0
            ? (null, TypedResults.ValidationProblem(errors, detail: "One or more query parameters are invalid; see errors."))
            : (new MetricsPeriod(first, last, zone), null);
    }

    static DateOnly? Parse(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            && day.Year is >= 1970 and < 2100)
            return day;
        errors[field] = ["Must be a date like 2026-11-01 (a day in the workspace's timezone)."];
        return null;
    }
}
