using System.Text.Json;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Lenient, error-collecting reads of one JSON object's fields: a value that cannot be read becomes a
/// <see cref="FieldError"/> naming its path (e.g. <c>lines[2].quantity</c>) instead of an exception.
/// </summary>
public readonly struct JsonFields(JsonElement element, TimeZoneInfo zone, List<FieldError> errors, string prefix = "")
{
    public JsonElement Element => element;

    public void Error(string name, string message) => errors.Add(new FieldError(prefix + name, message));

    /// <summary>The property at a dotted path ("customer.email"), if present and not null.</summary>
    public bool TryGet(string path, out JsonElement value)
    {
        value = element;
        if (!path.Contains('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(path, out value))
                return false;
            return value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
        }
        foreach (var part in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
                return false;
        }
        return value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
    }

    /// <summary>A string or number as trimmed text; empty strings are null.</summary>
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
                Error(path, $"Must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.");
                return null;
        }
    }

    public bool Bool(string path) =>
        TryGet(path, out var value) && (value.ValueKind == JsonValueKind.True ||
            (value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var b) && b));

    /// <summary>Money or a quantity as a number or a numeric string; exact decimal.</summary>
    public decimal? Money(string path, bool required = false)
    {
        if (!TryGet(path, out var value))
        {
            if (required)
                Error(path, "Is required.");
            return null;
        }
        if (Lenient.TryDecimal(value, out var result))
            return result;
        Error(path, $"Must be a number or a numeric string, not {value.GetRawText()}.");
        return null;
    }

    /// <summary>A timestamp as a UTC instant (ISO 8601 with or without offset, RFC 2822, ...).</summary>
    public DateTime? Instant(string path)
    {
        var text = Text(path);
        if (text is null)
            return null;
        if (Lenient.TryInstant(text, zone, out var utc))
            return utc;
        Error(path, $"'{text}' is not a date; use ISO 8601, e.g. 2026-10-01T12:00:00-05:00.");
        return null;
    }

    /// <summary>The objects of an array property, each with its own path prefix for errors.</summary>
    public IEnumerable<JsonFields> Objects(string path)
    {
        if (!TryGet(path, out var array))
            yield break;
        if (array.ValueKind != JsonValueKind.Array)
        {
            Error(path, "Must be an array.");
            yield break;
        }
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = $"{prefix}{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FieldError(itemPath, "Must be a JSON object."));
                continue;
            }
            yield return new JsonFields(item, zone, errors, itemPath + ".");
        }
    }

    public JsonFields Object(string path) =>
        TryGet(path, out var value) && value.ValueKind == JsonValueKind.Object
            ? new JsonFields(value, zone, errors, prefix + path + ".")
            : new JsonFields(default, zone, errors, prefix + path + ".");
}
