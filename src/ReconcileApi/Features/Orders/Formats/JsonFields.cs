namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Lenient reads of one JSON object's fields. A value that cannot be read is not an exception but a
/// problem naming its path (e.g. <c>lines[2].quantity</c>): an error when the order cannot be stored
/// without it (<c>required</c>, <c>strict</c>), else a warning, and the field is left out.
/// </summary>
public readonly struct JsonFields(JsonElement element, TimeZoneInfo zone, ReadProblems problems, string prefix = "", DateOrder? dateOrder = null)
{
    public JsonElement Element => element;

    public ReadProblems Problems => problems;

    /// <summary>The full path of a field of this object, as problems name it ("lines[2].kind").</summary>
    public string PathOf(string name) => prefix + name;

    public void Error(string name, string message) => problems.Error(prefix + name, message);

    public void Warn(string name, string message) => problems.Warn(prefix + name, message);

    /// <summary>
    /// The property at a dotted path ("customer.email"), if present and not null. A step on the way that is there but not
    /// an object ("customer": "bob@example.com") is left out with a warning naming it, once however many paths cross it.
    /// </summary>
    public bool TryGet(string path, out JsonElement value)
    {
        value = element;
        if (!path.Contains('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(path, out value))
                return false;
            return value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
        }
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0 && value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                NotAnObject(string.Join('.', parts[..i]), value);
                return false;
            }
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(parts[i], out value))
                return false;
        }
        return value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
    }

    void NotAnObject(string path, JsonElement value) => problems.WarnOnce(prefix + path, $"Must be a JSON object, not {Kind(value)}; left out.");

    /// <summary>A string or number as trimmed text; empty strings are null; anything else is left out with a warning.</summary>
    public string? Text(string path)
    {
        if (!TryGet(path, out var value))
            return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var s = value.GetString()!.Trim();
                return s.Length == 0 ? null : s;
            case JsonValueKind.Number:
                return value.GetRawText();
            case JsonValueKind.True or JsonValueKind.False:
                return value.GetRawText();
            default:
                Warn(path, $"Must be a string, not {Kind(value)}; left out.");
                return null;
        }
    }

    /// <summary>true, false, or a "true"/"false" string; null when absent or unreadable (with a warning).</summary>
    public bool? Flag(string path)
    {
        if (!TryGet(path, out var value))
            return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        if (value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString()!.Trim(), out var b))
            return b;
        Warn(path, $"Must be true or false, not {value.GetRawText()}; left out.");
        return null;
    }

    public bool Bool(string path) => Flag(path) == true;

    /// <summary>Money or a quantity as a number or a numeric string; exact decimal.</summary>
    public decimal? Money(string path, bool required = false)
    {
        if (!TryGet(path, out var value))
        {
            if (required)
                Error(path, "Is required.");
            return null;
        }
        if (Lenient.TryDecimal(value, out var result, out var outOfRange))
            return result;
        var message = NotANumber(value, outOfRange, OrderValidator.MoneyRange);
        // Out of range rejects the order wherever it stands, as an amount the validator finds out of bounds does.
        if (required || outOfRange)
            Error(path, message);
        else
            Warn(path, message + " Left out.");
        return null;
    }

    /// <summary>A line's price: without it the order's lines cannot be read (see <see cref="LineReader"/>).</summary>
    public decimal? LineAmount(string path, LineReader lines) => LineNumber(path, lines, OrderValidator.MoneyRange);

    decimal? LineNumber(string path, LineReader lines, string range)
    {
        if (!TryGet(path, out var value))
        {
            lines.Unreadable(prefix + path, "Is missing.");
            return null;
        }
        if (Lenient.TryDecimal(value, out var result, out var outOfRange))
            return result;
        if (outOfRange)
            Error(path, NotANumber(value, outOfRange, range));
        else
            lines.Unreadable(prefix + path, NotANumber(value, outOfRange, range));
        return null;
    }

    static string NotANumber(JsonElement value, bool outOfRange, string range) =>
        outOfRange ? $"Must be {range}, not {value.GetRawText()}." : $"Must be a number or a numeric string, not {value.GetRawText()}."
            + (value.ValueKind == JsonValueKind.String ? Lenient.NotANumberHint(value.GetString()) : "");

    /// <summary>A line's quantity: as <see cref="LineAmount"/>, and a negative one cannot be read either.</summary>
    public decimal? LineQuantity(string path, LineReader lines)
    {
        var quantity = LineNumber(path, lines, OrderValidator.QuantityRange);
        if (quantity is >= 0)
            return quantity;
        if (quantity is { } q)
            lines.Unreadable(prefix + path, $"Must be zero or more, not {q}.");
        return null;
    }

    /// <summary>
    /// A timestamp as a UTC instant (ISO 8601 with or without offset, RFC 2822, ...). One that cannot be
    /// read is an error when <paramref name="strict"/> (the order date: a run could not place the order), else a warning.
    /// </summary>
    public DateTime? Instant(string path, bool strict = false)
    {
        var text = Text(path);
        if (text is null)
            return null;
        if (Lenient.TryInstant(text, zone, dateOrder, out var utc, out var failure, out var note))
        {
            if (note is not null)
                Warn(path, note);
            return utc;
        }
        var message = Lenient.DateProblem(text, failure);
        if (strict)
            Error(path, message);
        else
            Warn(path, message + " Left out.");
        return null;
    }

    /// <summary>
    /// The objects of an array property, each with its own path prefix; anything else is left out with a
    /// warning. For an array of lines pass <paramref name="lines"/>: a line that is not an object makes the
    /// order's lines unreadable, since comparing the others would report the missing one as a difference.
    /// </summary>
    public IEnumerable<JsonFields> Objects(string path, LineReader? lines = null)
    {
        if (!TryGet(path, out var array))
            yield break;
        if (array.ValueKind != JsonValueKind.Array)
        {
            var message = $"Must be an array, not {Kind(array)}.";
            if (lines is null)
                Warn(path, message + " Left out.");
            else
                lines.Unreadable(prefix + path, message);
            yield break;
        }
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = $"{prefix}{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                var message = $"Must be a JSON object, not {Kind(item)}.";
                if (lines is null)
                    problems.Warn(itemPath, message + " Left out.");
                else
                    lines.Unreadable(itemPath, message);
                continue;
            }
            yield return new JsonFields(item, zone, problems, itemPath + ".", dateOrder);
        }
    }

    /// <summary>
    /// The objects of a GraphQL connection (<c>{"nodes": […]}</c>, or <c>{"edges": [{"node": …}]}</c>) or of an array, as
    /// <see cref="Objects"/> reads them; an edge without a node object is a line that cannot be read (or, not for lines, left out).
    /// </summary>
    public IEnumerable<JsonFields> Connection(string path, LineReader? lines = null)
    {
        if (!TryGet(path, out var value) || value.ValueKind != JsonValueKind.Object)
            return Objects(path, lines);
        if (TryGet(path + ".nodes", out _))
            return Objects(path + ".nodes", lines);
        if (TryGet(path + ".edges", out _))
            return Nodes(path + ".edges", lines);
        var message = "Must be an array or a connection (nodes or edges), not an object without them.";
        if (lines is null)
            Warn(path, message + " Left out.");
        else
            lines.Unreadable(prefix + path, message);
        return [];
    }

    IEnumerable<JsonFields> Nodes(string edgesPath, LineReader? lines)
    {
        foreach (var edge in Objects(edgesPath, lines))
        {
            var there = edge.TryGet("node", out var node);
            if (there && node.ValueKind == JsonValueKind.Object)
            {
                yield return edge.Object("node");
                continue;
            }
            var message = there ? $"Must be a JSON object, not {Kind(node)}." : "Is missing.";
            if (lines is null)
                edge.Warn("node", message + " Left out.");
            else
                lines.Unreadable(edge.PathOf("node"), message);
        }
    }

    /// <summary>The object at <paramref name="path"/>; absent, or of another kind (with a warning), an object with no fields.</summary>
    public JsonFields Object(string path)
    {
        if (!TryGet(path, out var value))
            return new JsonFields(default, zone, problems, prefix + path + ".", dateOrder);
        if (value.ValueKind != JsonValueKind.Object)
        {
            NotAnObject(path, value);
            return new JsonFields(default, zone, problems, prefix + path + ".", dateOrder);
        }
        return new JsonFields(value, zone, problems, prefix + path + ".", dateOrder);
    }

    static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
