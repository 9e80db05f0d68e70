using System.Globalization;
using System.Text.Json;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Lenient readers for values that arrive as numbers or strings in the wild.</summary>
public static class Lenient
{
    /// <summary>Money or quantity as a JSON number or string ("1,234.50", "$12", "12.5000"); exact decimal.</summary>
    public static bool TryDecimal(JsonElement value, out decimal result)
    {
        result = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out result),
            JsonValueKind.String => TryDecimal(value.GetString(), out result),
            _ => false,
        };
    }

    public static bool TryDecimal(string? text, out decimal result)
    {
        result = 0;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var cleaned = text.Trim().TrimStart('\'').Replace(",", "").Replace(" ", "");
        cleaned = cleaned.TrimStart('$', '€', '£', '¥');
        if (cleaned.StartsWith("-$", StringComparison.Ordinal))
            cleaned = "-" + cleaned[2..];
        return decimal.TryParse(cleaned, NumberStyles.Number, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>
    /// A timestamp as a UTC instant. Values with an offset are exact; values without one are read
    /// in <paramref name="zone"/>.
    /// </summary>
    public static bool TryInstant(string? text, TimeZoneInfo zone, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        if (!DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AllowWhiteSpaces, out var parsed))
            return false;
        utc = parsed.Kind == DateTimeKind.Unspecified ? FromZone(parsed, zone) : parsed.ToUniversalTime();
        return true;
    }

    public static DateTime FromZone(DateTime wallClock, TimeZoneInfo zone)
    {
        // A wall-clock time inside a DST gap does not exist; read it as the instant an hour later.
        if (zone.IsInvalidTime(wallClock))
            wallClock = wallClock.AddHours(1);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), zone);
    }

    public static bool TryZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
            return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
