using System.Diagnostics.CodeAnalysis;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// The orders of a JSON body, located in one validating pass without building a document of the
/// whole body: each order is parsed on its own later, so memory stays near the body's size.
/// Accepts an array, an object whose wrapper property holds the array (or one order), or one order.
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
    /// <summary>The wrapper property the orders were found in (<c>orders</c>); null for an array or a single order.</summary>
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
                names.Add(property.Name);
        }
        return names;
    }

    public ReadOnlyMemory<byte> Element(int index) => Body[Elements[index]];

    /// <summary>One order of the body as a document (its structure was validated when the list was located).</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> element) => JsonDocument.Parse(element, DocumentOptions);

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
                var wrapped = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isWrapper = !wrapped && IsAny(ref reader, wrappers);
                    var name = isWrapper ? reader.GetString() : null;
                    var isKey = reader.ValueTextEquals("idempotencyKey"u8);
                    reader.Read();
                    if (isWrapper && reader.TokenType == JsonTokenType.StartArray)
                    {
                        CollectArray(ref reader, elements, offset);
                        (wrapped, wrapper) = (true, name);
                    }
                    else if (isWrapper && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex + offset;
                        reader.Skip();
                        elements.Add(start..((int)reader.BytesConsumed + offset));
                        (wrapped, wrapper) = (true, name);
                    }
                    else if (isKey && reader.TokenType == JsonTokenType.String)
                    {
                        key = reader.GetString();
                    }
                    else if (isKey && reader.TokenType != JsonTokenType.Null)
                    {
                        malformed = new MalformedBody("The body's idempotencyKey must be a string.", 1, 1,
                            Field: JsonBodies.IdempotencyKeyProperty, FieldMessage: JsonBodies.IdempotencyKeyNotText);
                        return false;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                if (!wrapped)
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
        catch (InvalidOperationException)
        {
            malformed = new MalformedBody("The body's idempotencyKey is not valid text (a lone UTF-16 surrogate or invalid UTF-8).", 1, 1);
            return false;
        }
        catch (JsonException e)
        {
            var (line, position, reason) = JsonBodies.SyntaxFault(e);
            // The reader started after a byte order mark: a position on the first line counts it, as the body has it.
            position += line == 1 ? offset : 0;
            malformed = new MalformedBody($"Malformed JSON at line {line}, position {position}: {reason}", line, position);
            return false;
        }
        list = new JsonOrderList(body, elements, key, wrapper);
        return true;
    }

    static bool IsAny(ref Utf8JsonReader reader, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (reader.ValueTextEquals(name))
                return true;
        }
        return false;
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
