namespace ReconcileApi.Infrastructure;

/// <summary>
/// Which name a caller meant by one that is none of the names an operation reads: a body's property, a canonical order's
/// field, a table's header. Names are compared by <see cref="Key"/> (case, spaces, `_`, `-` and `.` aside), then within a
/// few edits (<see cref="Distance"/>): `customer_email` is `customerEmail`, `form` is `from`, `totl` is `total`.
/// </summary>
public static class Spelling
{
    /// <summary>
    /// The known name <paramref name="name"/> is a spelling of, the nearest first; null when none is near: within a third of
    /// its length in edits (1 to 3), or <paramref name="maxEdits"/>.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> known, int? maxEdits = null)
    {
        var key = Key(name);
        var most = maxEdits ?? Math.Max(1, Math.Min(3, key.Length / 3));
        var closest = known
            .Select(k => (Name: k, Distance: Distance(key, Key(k))))
            .Where(k => k.Distance <= most)
            .OrderBy(k => k.Distance)
            .FirstOrDefault();
        return closest.Name;
    }

    /// <summary>A name as compared: lower case, without spaces, `_`, `-`, `.` or a byte order mark.</summary>
    public static string Key(string text) =>
        new(text.Where(c => !char.IsWhiteSpace(c) && c is not ('_' or '-' or '.' or '\uFEFF')).Select(char.ToLowerInvariant).ToArray());

    /// <summary>Edits (insert, delete, replace, swap two neighbours) from one name to another: "form" is one from "from".</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
