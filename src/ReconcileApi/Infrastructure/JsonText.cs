namespace ReconcileApi.Infrastructure;

/// <summary>
/// Text in a JSON document that is not valid Unicode: a lone UTF-16 surrogate escape (<c>"\ud800"</c>), in a value or in a
/// property name. System.Text.Json holds it as written and throws only when asked for it as .NET text, so the readers of
/// ingest and of our own bodies ask here instead, and say where it is.
/// </summary>
public static class JsonText
{
    /// <summary>The last step of a path that ends at a property name that is not valid text.</summary>
    public const string NameStep = "(a property name)";

    /// <summary>The property's name, or null when it is not valid text.</summary>
    public static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Whether the reader's property name is <paramref name="name"/>; a name that is not valid text is none.</summary>
    public static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <inheritdoc cref="NameIs(ref Utf8JsonReader, ReadOnlySpan{byte})"/>
    public static bool NameIs(ref Utf8JsonReader reader, string name)
    {
        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the reader's property name is <paramref name="name"/> in any case: `Orders`, `IdempotencyKey`, as .NET's and
    /// Newtonsoft's serializers write them by default (ASP.NET Core binds JSON without regard to case).
    /// </summary>
    public static bool NameIsInAnyCase(ref Utf8JsonReader reader, string name)
    {
        if (NameIs(ref reader, name))
            return true;
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length != name.Length)
            return false;
        try
        {
            return string.Equals(reader.GetString(), name, StringComparison.OrdinalIgnoreCase);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Whether a string value reads as .NET text.</summary>
    public static bool IsValid(JsonElement value)
    {
        try
        {
            value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Why a string value that is not valid text (<see cref="IsValid"/> false) is not, in the caller's words. Bytes that are no
    /// UTF-8 were told as a lone surrogate escape the caller never wrote: a Windows PowerShell <c>Invoke-RestMethod</c> sends a
    /// string body as Latin-1, so "José" arrives with the byte 0xE9 and its caller looked for a <c>\ud800</c> in vain.
    /// </summary>
    public static string WhyInvalid(JsonElement value)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        for (var i = 0; i < raw.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf8(raw[i..], out _, out var length) != System.Buffers.OperationStatus.Done)
                return $"Is not valid text: it holds the byte 0x{raw[i]:X2}, which is not UTF-8 (a body sent as Latin-1 or Windows-1252, as " +
                    "Windows PowerShell sends a string); send the body as UTF-8.";
            i += length;
        }
        return LoneSurrogate;
    }

    public const string LoneSurrogate = "Is not valid text: it holds a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape).";

    /// <summary>
    /// The first string or property name in document order that is not valid text: its path (<c>lines[2].sku</c>, or
    /// <c>statusMap.(a property name)</c> for a name) and whether it is a name; null when all text is valid.
    /// </summary>
    public static (string Path, bool IsName)? FirstInvalid(JsonElement element, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsValid(element) ? null : (path, false);
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstInvalid(item, $"{path}[{i++}]") is { } found)
                        return found;
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (NameOf(property) is not { } name)
                        return (path.Length == 0 ? NameStep : $"{path}.{NameStep}", true);
                    if (FirstInvalid(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found)
                        return found;
                }
                return null;
            default:
                return null;
        }
    }
}
