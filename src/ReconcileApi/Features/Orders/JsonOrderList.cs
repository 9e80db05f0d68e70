using System.Diagnostics.CodeAnalysis;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// The orders of a JSON body, located in one validating pass without building a document of the
/// whole body: each order is parsed on its own later, so memory stays near the body's size.
/// Accepts an array, an object whose wrapper holds the array (or one order) — a property, or a path such as a GraphQL
/// response's <c>data.orders.edges.node</c> — or one order.
/// </summary>
public sealed class JsonOrderList
{
    internal static readonly JsonReaderOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
    /// <summary>The same leniency for each order as for the body around it: trailing commas and comments.</summary>
    static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    JsonOrderList(ReadOnlyMemory<byte> body, List<Range> elements, string? idempotencyKey, string? wrapper)
    {
        Body = body;
        Elements = elements;
        IdempotencyKey = idempotencyKey;
        Wrapper = wrapper;
    }

    public ReadOnlyMemory<byte> Body { get; }
    public IReadOnlyList<Range> Elements { get; }
    /// <summary>The body's top-level <c>idempotencyKey</c>, for no-code tools that cannot set headers.</summary>
    public string? IdempotencyKey { get; }
    /// <summary>The wrapper the orders were found in (<c>orders</c>, <c>data.orders.edges.node</c>); null for an array or a single order.</summary>
    public string? Wrapper { get; }

    /// <summary>The top-level property names of the first <paramref name="count"/> orders that are objects: what a format is recognised by.</summary>
    public IReadOnlyCollection<string> FieldNames(int count)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var objects = 0;
        for (var i = 0; i < Elements.Count && objects < count; i++)
        {
            using var document = Parse(Element(i));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                continue;
            objects++;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (JsonText.NameOf(property) is { } name)
                    names.Add(name);
            }
        }
        return names;
    }

    public ReadOnlyMemory<byte> Element(int index) => Body[Elements[index]];

    /// <summary>One order of the body as a document (its structure was validated when the list was located).</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> element) => JsonDocument.Parse(element, DocumentOptions);

    static readonly JsonDocumentOptions UniqueOptions = DocumentOptions with { AllowDuplicateProperties = false };

    /// <summary>
    /// One order as a document to read, or null with the path of a property it has twice in one object (at any depth):
    /// vendors never send one, and which copy is meant cannot be told. The check is the parser's own, in the parse.
    /// </summary>
    public static JsonDocument? ParseOrder(ReadOnlyMemory<byte> element, out string? duplicate)
    {
        duplicate = null;
        try
        {
            return JsonDocument.Parse(element, UniqueOptions);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // The structure was validated: the parser refused a property twice (or text it could not compare); say where.
            var document = Parse(element);
            try
            {
                duplicate = Duplicated(document.RootElement, "");
            }
            catch (InvalidOperationException)
            {
                // A name that is not valid text: the reader of the order rejects that (InvalidText).
            }
            if (duplicate is null)
                return document;
            document.Dispose();
            return null;
        }
    }

    /// <summary>The path of the first property that appears twice in one object of <paramref name="value"/>; null when none does.</summary>
    static string? Duplicated(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Duplicated(item, $"{path}[{i++}]") is { } found)
                    return found;
            }
        }
        else if (value.ValueKind == JsonValueKind.Object)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in value.EnumerateObject())
            {
                var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                if (!names.Add(property.Name))
                    return at;
                if (Duplicated(property.Value, at) is { } found)
                    return found;
            }
        }
        return null;
    }

    const string Empty = "The body is empty: send a JSON array of orders, an object that wraps them (e.g. {\"orders\": [...]}), or one order object.";

    public static bool TryLocate(ReadOnlyMemory<byte> body, IReadOnlyList<string> wrappers,
        [NotNullWhen(true)] out JsonOrderList? list, [NotNullWhen(false)] out MalformedBody? malformed)
    {
        (list, malformed) = (null, null);
        var elements = new List<Range>();
        string? key = null, wrapper = null;
        // A byte order mark (some Windows tools write one) is not JSON; positions stay those of the body.
        var offset = body.Span.StartsWith("\uFEFF"u8) ? 3 : 0;
        if (body.Span[offset..].Trim(" \t\r\n"u8).IsEmpty)
        {
            malformed = new MalformedBody(Empty, 1, 1);
            return false;
        }
        var reader = new Utf8JsonReader(body.Span[offset..], Options);
        try
        {
            if (!reader.Read())
            {
                malformed = new MalformedBody(Empty, 1, 1);
                return false;
            }
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                CollectArray(ref reader, elements, offset);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                var rootStart = (int)reader.TokenStartIndex + offset;
                var paths = wrappers.Select(w => w.Split('.')).ToList();
                // The root property the orders were found under: another one of that name is a second wrapper.
                string? rootName = null;
                // A GraphQL response's errors (Shopify's when a query is throttled or wrong), where its data has no orders.
                Range? errors = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isKey = JsonText.NameIsInAnyCase(ref reader, JsonBodies.IdempotencyKeyProperty);
                    var isErrors = JsonText.NameIs(ref reader, "errors"u8);
                    // Which of two wrappers or keys is meant cannot be told: neither is taken.
                    if ((rootName is not null && JsonText.NameIs(ref reader, rootName)) || (isKey && key is not null))
                    {
                        var twice = reader.GetString();
                        malformed = new MalformedBody($"The body has '{twice}' more than once; send it once.", 1, 1, Field: twice, FieldMessage: JsonBodies.Duplicate);
                        return false;
                    }
                    var along = wrapper is null ? Along(ref reader, paths, 0) : [];
                    var name = along.Count > 0 ? reader.GetString() : null;
                    reader.Read();
                    if (along.Count > 0)
                    {
                        if (Collect(ref reader, along, 1, elements, offset) is { } found)
                            (rootName, wrapper) = (name, found);
                    }
                    else if (isKey)
                    {
                        key = JsonBodies.ReadIdempotencyKey(ref reader, out var invalid);
                        if (invalid is not null)
                        {
                            malformed = new MalformedBody($"The body's idempotencyKey cannot be taken: {invalid}", 1, 1,
                                Field: JsonBodies.IdempotencyKeyProperty, FieldMessage: invalid);
                            return false;
                        }
                    }
                    else
                    {
                        var start = (int)reader.TokenStartIndex;
                        var array = reader.TokenType == JsonTokenType.StartArray;
                        reader.Skip();
                        if (isErrors && array)
                            errors = start..(int)reader.BytesConsumed;
                    }
                }
                if (wrapper is null && errors is { } fault && GraphQlErrors(body.Span[offset..][fault]) is { } said)
                {
                    malformed = new MalformedBody($"The body is a GraphQL error response, not orders ({said}): nothing was stored. Send the orders once the query succeeds.",
                        1, 1, Field: "errors", FieldMessage: said);
                    return false;
                }
                if (wrapper is null)
                    elements.Add(rootStart..((int)reader.BytesConsumed + offset));
            }
            else
            {
                malformed = new MalformedBody("The body must be a JSON array of orders, an object that wraps them (e.g. {\"orders\": [...]}), or one order object.", 1, 1);
                return false;
            }
            // Anything after the root value is an error the reader reports here.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            var (line, position, reason) = JsonBodies.SyntaxFault(e, body.Span);
            // The reader started after a byte order mark: a position on the first line counts it, as the body has it.
            position += line == 1 ? offset : 0;
            malformed = new MalformedBody($"Malformed JSON at line {line}, position {position}: {reason}", line, position);
            return false;
        }
        list = new JsonOrderList(body, elements, key, wrapper);
        return true;
    }

    /// <summary>
    /// What a GraphQL response's <c>errors</c> say (the first message, its <c>extensions.code</c>, and how many there are), or
    /// null when the array is not that: objects with a <c>message</c>. A Make or Zapier step that passes on a failed orders query
    /// (throttled, a field the API version lacks) sends this instead of orders; read as one order, it was rejected for want of an id.
    /// </summary>
    static string? GraphQlErrors(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value);
        if (!JsonDocument.TryParseValue(ref reader, out var document))
            return null;
        using (document)
        {
            var items = document.RootElement.EnumerateArray().ToList();
            if (items.Count == 0 || !items.TrueForAll(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String))
                return null;
            var first = items[0];
            var said = $"errors[0].message: \"{first.GetProperty("message").GetString()}\"";
            if (first.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
                && extensions.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
                said += $", code {code.GetString()}";
            return items.Count > 1 ? $"{said}, and {items.Count - 1} more" : said;
        }
    }

    /// <summary>The wrapper paths whose step <paramref name="step"/> is the property name the reader is on.</summary>
    static List<string[]> Along(ref Utf8JsonReader reader, List<string[]> paths, int step)
    {
        var along = new List<string[]>();
        foreach (var path in paths)
        {
            // The root's wrapper in any case (`Orders`); names inside a vendor's response are the vendor's own.
            if (path.Length > step && (step == 0 ? JsonText.NameIsInAnyCase(ref reader, path[step]) : JsonText.NameIs(ref reader, path[step])))
                along.Add(path);
        }
        return along;
    }

    /// <summary>
    /// The orders in the value the reader is on, reached by the first <paramref name="step"/> steps of <paramref name="paths"/>
    /// (a wrapper is a path of property names: <c>orders</c>, or GraphQL's <c>data.orders.edges.node</c>, where a step into an
    /// array is taken in each of its objects). A path that ends here takes an array's elements or an object as one order, unless
    /// a longer path finds orders inside that object. The value is read to its end; the path that found the orders, or null.
    /// </summary>
    static string? Collect(ref Utf8JsonReader reader, List<string[]> paths, int step, List<Range> elements, int offset)
    {
        var ends = paths.Find(p => p.Length == step);
        var further = paths.FindAll(p => p.Length > step);
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            if (ends is not null)
            {
                CollectArray(ref reader, elements, offset);
                return string.Join('.', ends);
            }
            // A connection's edges: the order is further along in each one (its node).
            string? found = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                    found = Collect(ref reader, further, step, elements, offset) ?? found;
                else
                    reader.Skip();
            }
            // No edges at all is no orders, not a body that is one order.
            return found ?? string.Join('.', further[0]);
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        var start = (int)reader.TokenStartIndex + offset;
        string? inside = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var along = inside is null ? Along(ref reader, further, step) : [];
            reader.Read();
            if (along.Count > 0)
                inside = Collect(ref reader, along, step + 1, elements, offset);
            else
                reader.Skip();
        }
        if (inside is not null)
            return inside;
        if (ends is null)
            return null;
        elements.Add(start..((int)reader.BytesConsumed + offset));
        return string.Join('.', ends);
    }

    static void CollectArray(ref Utf8JsonReader reader, List<Range> elements, int offset)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex + offset;
            reader.Skip();
            elements.Add(start..((int)reader.BytesConsumed + offset));
        }
    }
}
