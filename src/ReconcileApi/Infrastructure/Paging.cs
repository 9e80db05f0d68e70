using System.Globalization;

namespace ReconcileApi.Infrastructure;

/// <summary>The paging parameters every list reads alike: <c>limit</c> within 1 and its maximum, a <c>cursor</c> this API returned.</summary>
public static class Paging
{
    public const string NotACursor = "Is not a cursor this API returned; pass nextCursor unchanged.";

    /// <summary>Adds the error of a <paramref name="limit"/> out of 1–<paramref name="max"/> to <paramref name="errors"/>: a list never clamps it.</summary>
    public static void CheckLimit(Dictionary<string, string[]> errors, int limit, int max)
    {
        if (limit < 1 || limit > max)
            errors["limit"] = [LimitOutOfRange(max)];
    }

    /// <summary>What a query parameter (or header) given more than once is told: the framework joins the copies with a comma.</summary>
    public const string GivenTwice = "Is given more than once; send it once.";

    public static string LimitOutOfRange(int max) => $"Must be between 1 and {max}.";

    /// <summary>
    /// Adds an error for each of the text filters <paramref name="names"/> given more than once: the framework joins the copies
    /// with a comma (<c>orderKey=1001&amp;orderKey=1002</c> is "1001,1002"), which matches nothing, an empty page that looks like an
    /// answer. A typed parameter given twice is refused as it is bound (<see cref="BindingFailures"/>).
    /// </summary>
    public static void CheckOnce(Dictionary<string, string[]> errors, IQueryCollection query, params string[] names)
    {
        foreach (var name in names)
        {
            if (query[name].Count > 1)
                errors[name] = [GivenTwice];
        }
    }

    /// <summary>
    /// A cursor that is the id of the last row of a page (the lists ordered by id): the id, or null with the error on
    /// <c>cursor</c> added to <paramref name="errors"/>; null without an error when there is no cursor. Ids start at 1.
    /// </summary>
    public static long? IdCursor(Dictionary<string, string[]> errors, string? cursor)
    {
        if (cursor is null)
            return null;
        if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            return id;
        errors["cursor"] = [NotACursor];
        return null;
    }

    /// <summary>The cursor of a list ordered newest first by a time and then a Guid: the last row's time and id.</summary>
    public static string TimeIdCursor(DateTime at, Guid id) =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.ASCII.GetBytes($"{at.Ticks}:{id:N}"));

    /// <summary>
    /// A cursor <see cref="TimeIdCursor(DateTime, Guid)"/> made, read back, or null with the error on <c>cursor</c> added to <paramref name="errors"/>;
    /// null without an error when there is no cursor.
    /// </summary>
    public static (DateTime At, Guid Id)? TimeIdCursor(Dictionary<string, string[]> errors, string? cursor)
    {
        if (cursor is null)
            return null;
        try
        {
            var parts = System.Text.Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTime.MaxValue.Ticks && Guid.TryParseExact(parts[1], "N", out var id))
                return (new DateTime(ticks, DateTimeKind.Utc), id);
        }
        catch (FormatException)
        {
        }
        errors["cursor"] = [NotACursor];
        return null;
    }
}
