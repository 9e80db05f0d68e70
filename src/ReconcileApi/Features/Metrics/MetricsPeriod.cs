using System.Globalization;

namespace ReconcileApi.Features.Metrics;

/// <summary>
/// The days a metrics request covers, <c>from</c> to <c>to</c> inclusive, as dates in the workspace's timezone (default:
/// the 30 days up to today), and where each begins in UTC.
/// </summary>
public sealed record MetricsPeriod(DateOnly From, DateOnly To, TimeZoneInfo Zone)
{
    public const int DefaultDays = 30, MaxDays = 366;
    /// <summary>The years a metrics day may fall in: no order predates 1970, and 2099 leaves the zone conversions room.</summary>
    const int FirstYear = 1970, LastYear = 2099;

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
        var last = Parse(to, "to", zone, errors) ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone));
        var first = Parse(from, "from", zone, errors) ?? last.AddDays(1 - DefaultDays);
        if (errors.Count == 0 && first > last)
            errors["from"] = ["Must be on or before 'to'."];
        else if (errors.Count == 0 && last.DayNumber - first.DayNumber + 1 > MaxDays)
            errors["from"] = [$"The period may span at most {MaxDays} days; ask for a year at a time."];
        return errors.Count > 0
            ? (null, Problems.InvalidQuery(errors))
            : (new MetricsPeriod(first, last, zone), null);
    }

    /// <summary>A day (<c>2026-11-01</c>), or an instant (<c>2026-11-01T08:00:00Z</c>, as generated clients send dates) read as its day in the zone.</summary>
    static DateOnly? Parse(string? text, string field, TimeZoneInfo zone, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        text = text.Trim();
        DateOnly? read = null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            read = day;
        else if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            // Moved into the zone only within the years: at the calendar's edge the move could leave it.
            read = DateOnly.FromDateTime(instant.Year is >= FirstYear and <= LastYear ? TimeZoneInfo.ConvertTime(instant, zone).DateTime : instant.DateTime);
        if (read is { Year: >= FirstYear and <= LastYear })
            return read;
        errors[field] = [read is null
            ? "Must be a date like 2026-11-01 (a day in the workspace's timezone)."
            : $"Is out of the supported range: metrics cover days from {FirstYear}-01-01 to {LastYear}-12-31."];
        return null;
    }
}
