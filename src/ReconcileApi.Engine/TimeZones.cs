namespace ReconcileApi.Engine;

/// <summary>
/// The one time-zone lookup of the service: settings, ingest's <c>?timezone=</c>, run windows and workspaces
/// all read zones here. An id that is not a zone — unknown, empty, or naming one of the system's zoneinfo
/// folders ("America", "Etc/", "posix"), which the runtime answers with I/O errors — is simply not found.
/// </summary>
public static class TimeZones
{
    /// <summary>
    /// A wall-clock time (no offset) read in <paramref name="zone"/>, as a UTC instant. A time a DST change
    /// skips or repeats reads with the zone's standard offset (02:30 in a spring-forward gap is 03:30 summer
    /// time); GetUtcOffset never throws for them, unlike ConvertTimeToUtc. False when the instant falls off the
    /// calendar (0001-01-01 in a zone east of UTC, 9999-12-31 23:00 west of it): the caller says so.
    /// </summary>
    public static bool TryToUtc(DateTime wallClock, TimeZoneInfo zone, out DateTime utc)
    {
        var ticks = UtcTicks(wallClock, zone);
        var inRange = ticks >= 0 && ticks <= DateTime.MaxValue.Ticks;
        utc = inRange ? new DateTime(ticks, DateTimeKind.Utc) : default;
        return inRange;
    }

    /// <summary>
    /// As <see cref="TryToUtc"/>, an instant off the calendar held at its first or last tick: for times bounded
    /// already (run windows, metric days) and order dates an earlier build stored without a zone, which sort right there.
    /// </summary>
    public static DateTime ToUtc(DateTime wallClock, TimeZoneInfo zone) =>
        new(Math.Clamp(UtcTicks(wallClock, zone), 0, DateTime.MaxValue.Ticks), DateTimeKind.Utc);

    static long UtcTicks(DateTime wallClock, TimeZoneInfo zone) =>
        wallClock.Ticks - zone.GetUtcOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified)).Ticks;

    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || id.EndsWith('/'))
            return false;
        if (id is "UTC" or "Etc/UTC")
            return true;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }
}
