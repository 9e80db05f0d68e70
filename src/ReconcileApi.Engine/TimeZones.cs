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

    /// <summary>The longest zone id a workspace, schedule or setting keeps (the columns' width).</summary>
    public const int MaxIdLength = 64;

    /// <summary>
    /// <see cref="TryFind"/> for an id a caller sends, to be kept: written as IANA writes its names. The runtime finds a zone by
    /// its file, so it also took paths IANA never names — <c>America//New_York</c> (kept as sent, 64 slashes made it longer than
    /// the column, a 500 on SQL Server), <c>localtime</c> and <c>posixrules</c> (whatever zone the machine is set to, another on
    /// the next server), the <c>posix/</c> and <c>right/</c> copies (the latter counting leap seconds). Stored ids are read with
    /// <see cref="TryFind"/>, so one kept before still finds its zone.
    /// </summary>
    public static bool TryFindName(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (id is null || id.Length > MaxIdLength || id is "localtime" or "posixrules"
            || id.StartsWith("posix/", StringComparison.Ordinal) || id.StartsWith("right/", StringComparison.Ordinal)
            || id.Split('/').Any(part => part is "" or "." or ".." || !part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '.')))
            return false;
        return TryFind(id, out zone);
    }

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
