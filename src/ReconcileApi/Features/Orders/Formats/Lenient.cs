using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Lenient readers for values that arrive as numbers or strings in the wild.</summary>
public static partial class Lenient
{
    /// <summary>Money or quantity as a JSON number or string ("1,234.50", "$12", "12.5000"); exact decimal.</summary>
    public static bool TryDecimal(JsonElement value, out decimal result) => TryDecimal(value, out result, out _);

    /// <summary>
    /// As <see cref="TryDecimal(JsonElement, out decimal)"/>; not read but <paramref name="outOfRange"/> when the value is a
    /// number all the same, too large for a decimal (beyond ±7.9e28), so that its problem is its range, not its form.
    /// </summary>
    public static bool TryDecimal(JsonElement value, out decimal result, out bool outOfRange)
    {
        (result, outOfRange) = (0, false);
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                // Any JSON number is well formed: one a decimal cannot hold is too large.
                outOfRange = !value.TryGetDecimal(out result);
                return !outOfRange;
            case JsonValueKind.String:
                return TryDecimal(value.GetString(), out result, out outOfRange);
            default:
                return false;
        }
    }

    public static bool TryDecimal(string? text, out decimal result) => TryDecimal(text, out result, out _);

    /// <summary>
    /// Money or a quantity as typed by people and spreadsheets. Accepted: a stray leading <c>'</c>,
    /// currency symbols and ISO codes on either side ("$1,234.56", "USD 12.00", "12,00 €"), a sign before
    /// or after the symbol ("-$5", "$-5"), accounting negatives ("(12.00)"), and grouping by commas,
    /// dots, spaces or apostrophes. Which separator is the decimal one: with both ',' and '.' the last
    /// one; with only ',' it is decimal when exactly one comma is followed by one or two digits
    /// ("12,5", "1.234,56" style), otherwise grouping ("1,234"); with only '.' one dot is decimal
    /// ("12.5000") and several are grouping ("1.234.567"). Grouping is in threes (or Indian twos before the last three): other
    /// separators ("1.2.3") read as no amount, not as the digits without them. Digits that read by these rules but are too many
    /// for a decimal are <paramref name="outOfRange"/>.
    /// </summary>
    public static bool TryDecimal(string? text, out decimal result, out bool outOfRange)
    {
        (result, outOfRange) = (0, false);
        if (string.IsNullOrWhiteSpace(text))
            return false;
        // Fast path for the common plain form ("123.45", "-5"); it accepts nothing the rules below read differently.
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out result))
            return true;
        var s = text.Trim().TrimStart('\'').Trim();
        var negative = false;
        if (s.Length > 2 && s[0] == '(' && s[^1] == ')')
        {
            negative = true;
            s = s[1..^1].Trim();
        }
        s = StripCurrency(s);
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative ^= s[0] == '-';
            s = StripCurrency(s[1..]);
        }
        else if (s.EndsWith('-'))
        {
            // "12.00-" is how some ledgers print a credit.
            negative = !negative;
            s = s[..^1].TrimEnd();
        }
        var digits = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c is ' ' or '\u00A0' or '\u202F' or '\'' or '’')
                continue;
            digits.Append(c);
        }
        s = digits.ToString();
        if (s.Length == 0 || !s.All(c => char.IsAsciiDigit(c) || c is '.' or ','))
            return false;
        var lastComma = s.LastIndexOf(',');
        var lastDot = s.LastIndexOf('.');
        if (lastComma >= 0 && lastDot >= 0)
        {
            var decimalSeparator = lastComma > lastDot ? ',' : '.';
            var grouping = decimalSeparator == ',' ? '.' : ',';
            if (s.Count(c => c == decimalSeparator) > 1 || !Grouped(s[..s.LastIndexOf(decimalSeparator)], grouping))
                return false;
            s = s.Replace(grouping.ToString(), "").Replace(',', '.');
        }
        else if (lastComma >= 0)
        {
            var commas = s.Count(c => c == ',');
            var decimals = s.Length - lastComma - 1;
            if (commas == 1 && decimals is 1 or 2)
                s = s.Replace(',', '.');
            else if (Grouped(s, ','))
                s = s.Replace(",", "");
            else
                return false;
        }
        else if (lastDot >= 0 && s.Count(c => c == '.') > 1)
        {
            if (!Grouped(s, '.'))
                return false;
            s = s.Replace(".", "");
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out result))
        {
            // Only digits and at most one point are left here: with a digit, what failed is the size.
            outOfRange = s.Any(char.IsAsciiDigit);
            return false;
        }
        if (negative)
            result = -result;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="digits"/> is grouped as people group thousands: every group after the first of three digits
    /// ("1,234,567"), or of two before the last three as in India ("12,34,567"), the first of one to three (two in India).
    /// Anything else ("1.2.3", "12,5,0", "1,2.50") is no amount: read by dropping its separators it became another number.
    /// </summary>
    static bool Grouped(string digits, char grouping)
    {
        var groups = digits.Split(grouping);
        if (groups.Length == 1)
            return true;
        var indian = groups.Length > 2 && groups[1].Length == 2;
        if (groups[0].Length is 0 || groups[0].Length > (indian ? 2 : 3) || groups[^1].Length != 3)
            return false;
        for (var i = 1; i < groups.Length - 1; i++)
        {
            if (groups[i].Length != (indian ? 2 : 3))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Why <paramref name="text"/>, which <see cref="TryDecimal(string?, out decimal, out bool)"/> did not read, is no amount, when
    /// a reason beyond "not a number" is known; else empty. Scientific notation ("1.23457E+11") is refused, not read: it is how a
    /// spreadsheet displays, and saves to CSV, a number too long for its column — its digits rounded away — so the value read
    /// would not be the order's. (A JSON number with an exponent is exact, and read.)
    /// </summary>
    public static string NotANumberHint(string? text) =>
        text is not null && Scientific().IsMatch(text)
            ? " It is in scientific notation, which a spreadsheet writes for a rounded display of a long number: format the column as Number " +
              "with its decimals (or as Text) and export again, or send the amount's digits."
            : "";

    [GeneratedRegex(@"^\s*[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+\s*$")]
    private static partial Regex Scientific();

    static string StripCurrency(string s)
    {
        s = CurrencyCode().Replace(s.Trim(), "").Trim();
        return CurrencySymbol().Replace(s, "").Trim();
    }

    // An ISO 4217 code before or after the number: "USD 12.00", "12.00 EUR".
    [GeneratedRegex(@"^[A-Z]{3}(?=[\s\d\-+(]|$)|(?<=[\d\s])[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    // A symbol, possibly with the country letters glued to it ("US$", "A$", "R$"), at either end.
    [GeneratedRegex(@"^[A-Z]{0,2}\p{Sc}+|\p{Sc}+$")]
    private static partial Regex CurrencySymbol();

    /// <summary>
    /// A timestamp as a UTC instant. Values with an offset are exact; values without one are read
    /// in <paramref name="zone"/>. Accepted besides ISO 8601: RFC 2822 ("Sat, 03 Mar 2018 02:35:28 +0000"),
    /// offsets without a colon ("2025-10-07 09:50:26 +0200", "2017-11-29T19:16:14.000+0000"), "GMT"/"UTC"
    /// suffixes, and the invariant culture's month/day/year forms ("11/27/2026 10:15 AM").
    /// </summary>
    public static bool TryInstant(string? text, TimeZoneInfo zone, out DateTime utc) => TryInstant(text, zone, null, out utc, out _);

    /// <summary>
    /// As <see cref="TryInstant(string?, TimeZoneInfo, out DateTime)"/>, reading a numeric day-month-year date ("05/06/2026",
    /// "13.06.2026") in the order its numbers allow (13/06 can only be 13 June), else in <paramref name="order"/>; without an
    /// order, one whose first two parts are different and both at most 12 is <see cref="DateFailure.Ambiguous"/>, and not
    /// read. A date whose instant falls off the calendar (0001-01-01 read east of UTC) is <see cref="DateFailure.OutOfRange"/>.
    /// </summary>
    public static bool TryInstant(string? text, TimeZoneInfo zone, DateOrder? order, out DateTime utc, out DateFailure failure) =>
        TryInstant(text, zone, order, out utc, out failure, out _);

    /// <summary>
    /// As <see cref="TryInstant(string?, TimeZoneInfo, DateOrder?, out DateTime, out DateFailure)"/>, with what the receipt
    /// should say of a wall-clock time a DST change skips or repeats in the zone (<paramref name="note"/>): it is read at the
    /// zone's standard offset (<see cref="TimeZones.TryToUtc"/>), which may be an hour from what the sender meant.
    /// </summary>
    public static bool TryInstant(string? text, TimeZoneInfo zone, DateOrder? order, out DateTime utc, out DateFailure failure, out string? note)
    {
        failure = Instant(text, zone, order, out utc, out var wallClock);
        note = failure == DateFailure.None && wallClock is { } w ? WallClockNote(text!, w, zone, utc) : null;
        return failure == DateFailure.None;
    }

    static string? WallClockNote(string text, DateTime wallClock, TimeZoneInfo zone, DateTime utc) =>
        zone.IsInvalidTime(wallClock)
            ? string.Create(CultureInfo.InvariantCulture, $"'{text.Trim()}' does not exist in {zone.Id}: the clocks went forward over it. Read as {utc:yyyy-MM-ddTHH:mm:ss}Z, at the zone's standard offset; send the time with its offset (e.g. 2026-03-08T03:30:00-04:00) to be exact.")
        : zone.IsAmbiguousTime(wallClock)
            ? string.Create(CultureInfo.InvariantCulture, $"'{text.Trim()}' happened twice in {zone.Id}: the clocks went back over it. Read as {utc:yyyy-MM-ddTHH:mm:ss}Z, at the zone's standard offset; send the time with its offset to say which.")
        : null;

    static DateFailure Instant(string? text, TimeZoneInfo zone, DateOrder? order, out DateTime utc, out DateTime? wallClock)
    {
        utc = default;
        wallClock = null;
        if (string.IsNullOrWhiteSpace(text))
            return DateFailure.NotADate;
        // Fast path for ISO 8601 with 'Z' or a "+hh:mm" offset, the form most APIs send.
        if (text.Length >= 20 && text[4] == '-' && text[7] == '-' && text[10] is 'T' or ' '
            && (text[^1] is 'Z' || (text[^6] is '+' or '-' && text[^3] == ':'))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso))
        {
            utc = iso.UtcDateTime;
            return DateFailure.None;
        }
        var s = WithoutDayName(text);
        if (NumericDate().Match(s) is { Success: true } numeric)
        {
            var (first, second) = FirstTwoParts(numeric);
            var dayFirst = first > 12 ? true : second > 12 ? false : first == second ? true : order is { } o ? o == DateOrder.Dmy : (bool?)null;
            if (dayFirst is null)
                return DateFailure.Ambiguous;
            var (day, month) = dayFirst.Value ? (first, second) : (second, first);
            s = $"{numeric.Groups[3].Value}-{month:D2}-{day:D2}{s[numeric.Length..]}";
        }
        var zoneSuffix = ZoneName().Match(s);
        if (zoneSuffix.Success)
            s = s[..zoneSuffix.Index].TrimEnd() + " +00:00";
        s = CompactOffset().Replace(s, "$1$2:$3");
        if (OffsetAtEnd().Match(s) is { Success: true } offset)
        {
            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var withOffset))
            {
                utc = withOffset.UtcDateTime;
                return DateFailure.None;
            }
            // A readable time whose offset takes it off the calendar ("0001-01-01T00:00:00+05:00").
            return DateTime.TryParse(s[..offset.Index], CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _)
                ? DateFailure.OutOfRange : DateFailure.NotADate;
        }
        if (!DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AllowWhiteSpaces, out var parsed))
            return DateFailure.NotADate;
        if (parsed.Kind != DateTimeKind.Unspecified)
            utc = parsed.ToUniversalTime();
        else if (!TimeZones.TryToUtc(parsed, zone, out utc))
            return DateFailure.OutOfRange;
        else
            wallClock = parsed;
        return DateFailure.None;
    }

    /// <summary>
    /// The order a numeric date's own numbers prove ("25/11/2026" can only be day first, "11/25/2026" only month first);
    /// null for any other text, and for one either order reads ("05/06/2026", "05/05/2026").
    /// </summary>
    public static DateOrder? OrderShown(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || NumericDate().Match(WithoutDayName(text)) is not { Success: true } numeric)
            return null;
        var (first, second) = FirstTwoParts(numeric);
        return first > 12 && second <= 12 ? DateOrder.Dmy : second > 12 && first <= 12 ? DateOrder.Mdy : null;
    }

    /// <summary>A date's text without a spreadsheet's leading quote and a day name ("Wed, 05/06/2026" → "05/06/2026").</summary>
    static string WithoutDayName(string text) => DayName().Replace(text.Trim().TrimStart('\'').Trim(), "");

    /// <summary>The first two numbers of a <see cref="NumericDate"/> match: the day and month in some order.</summary>
    static (int First, int Second) FirstTwoParts(Match numeric) => (int.Parse(numeric.Groups[1].Value), int.Parse(numeric.Groups[2].Value));

    /// <summary>What a receipt says of a date <see cref="TryInstant(string?, TimeZoneInfo, DateOrder?, out DateTime, out DateFailure)"/> did not read.</summary>
    public static string DateProblem(string text, DateFailure failure) => failure switch
    {
        DateFailure.Ambiguous =>
            $"'{text}' is ambiguous: the day could come first or second. Send ISO 8601 (e.g. 2026-06-05T12:00:00Z), or set a date order: " +
            "?dateOrder=dmy or ?dateOrder=mdy on the request, or dateOrder in the workspace settings.",
        DateFailure.OutOfRange =>
            $"'{text}' is out of the supported range: as a UTC instant it falls before 0001-01-01 or after 9999-12-31 " +
            "(a time without an offset is read in ?timezone= or the workspace's timezone).",
        _ => $"'{text}' is not a date; use ISO 8601, e.g. 2026-10-01T12:00:00-05:00.",
    };

    // "05/06/2026", "5.6.2026", "05-06-2026 10:00": two one- or two-digit parts, then a four-digit year.
    [GeneratedRegex(@"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?=$|[\sT,])")]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"^[A-Za-z]{3,9},\s*")]
    private static partial Regex DayName();

    [GeneratedRegex(@"(?<=\d)\s*(GMT|UTC|UT)$", RegexOptions.IgnoreCase)]
    private static partial Regex ZoneName();

    // "+0200" right after a time's seconds, so a date's "-2025" is never taken for an offset.
    [GeneratedRegex(@"(?<=:\d{2}(?:\.\d+)?\s?)([+-])(\d{2})(\d{2})$")]
    private static partial Regex CompactOffset();

    [GeneratedRegex(@"(?<=\d)\s*([+-]\d{2}:\d{2}|Z)$", RegexOptions.IgnoreCase)]
    private static partial Regex OffsetAtEnd();
}

/// <summary>Why <see cref="Lenient.TryInstant(string?, TimeZoneInfo, DateOrder?, out DateTime, out DateFailure)"/> did not read a date.</summary>
public enum DateFailure { None, NotADate, Ambiguous, OutOfRange }
