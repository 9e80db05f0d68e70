using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Our own JSON request bodies — the ones the framework binds (runs, resolutions, settings, schedules, alert rules,
/// webhooks, workspaces): kept readable after binding, so the validation filter can refuse properties the type does not
/// have (a typo such as <c>"form"</c> must not fall back to a default) and the idempotency filter can read a body's
/// <c>idempotencyKey</c>. Bodies an endpoint reads in its own binder (ingest: vendor payloads stay lenient) are left alone.
/// </summary>
public static partial class JsonBodies
{
    /// <summary>The top-level property any write body may carry instead of the <c>Idempotency-Key</c> header.</summary>
    public const string IdempotencyKeyProperty = "idempotencyKey";

    /// <summary>Marks an endpoint whose binder reads the body itself: it is neither buffered nor checked here.</summary>
    public sealed class ReadByBinder;

    /// <summary>The type of the endpoint's framework-bound JSON body, or null when it has none.</summary>
    public static Type? BodyType(Endpoint? endpoint) =>
        endpoint is null || endpoint.Metadata.GetMetadata<ReadByBinder>() is not null
            ? null
            : endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;

    /// <summary>Keeps the bodies of write requests readable after binding (small: our own requests, not ingest's).</summary>
    public static WebApplication UseJsonBodyBuffering(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var method = context.Request.Method;
            if ((HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method))
                && context.GetEndpoint()?.Metadata.GetMetadata<ReadByBinder>() is null)
                context.Request.EnableBuffering();
            return next(context);
        });
        return app;
    }

    /// <summary>
    /// JSON <c>null</c> for an optional property that may not be null means "left out": the property takes its default, as
    /// when it is not sent. Generated clients (NSwag's System.Text.Json flavour) and no-code tools send every property of
    /// their model, null where nothing was set; without this a settings PUT or a schedule from such a client was a 400 for
    /// fields its caller never touched. A required property keeps its null (and its error), one that may be null its null.
    /// The members are blanked with spaces, line breaks kept, so every later error still points where the caller sent it.
    /// </summary>
    public static WebApplication UseNullAsLeftOut(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (BodyType(context.GetEndpoint()) is { } type && context.Request.HasJsonContentType()
                && await ReadBufferedAsync(context.Request) is { Length: > 0 } body)
            {
                var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
                if (WithoutNullsLeftOut(body.Span, type, options) is { } cleared)
                    context.Request.Body = new MemoryStream(cleared, writable: false);
            }
            await next(context);
        });
        return app;
    }

    /// <summary>
    /// The body with every <c>"name": null</c> member whose property <see cref="NullMeansLeftOut"/> blanked, or null when
    /// there is none (or the body is not JSON the binder reads, or names a property twice: the validation filter says so).
    /// </summary>
    public static byte[]? WithoutNullsLeftOut(ReadOnlySpan<byte> body, Type type, JsonSerializerOptions options)
    {
        if (body.IndexOf("null"u8) < 0)
            return null;
        var blanks = new List<(int From, int To)>();
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions
            {
                AllowTrailingCommas = options.AllowTrailingCommas,
                CommentHandling = options.ReadCommentHandling == JsonCommentHandling.Disallow ? JsonCommentHandling.Disallow : JsonCommentHandling.Skip,
                MaxDepth = options.MaxDepth,
            });
            if (!reader.Read() || !Blank(ref reader, options.GetTypeInfo(type), options, blanks) || reader.Read())
                return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
        if (blanks.Count == 0)
            return null;
        var cleared = body.ToArray();
        foreach (var (from, to) in blanks)
        {
            foreach (ref var b in cleared.AsSpan(from, to - from))
            {
                if (b is not ((byte)'\n' or (byte)'\r'))
                    b = (byte)' ';
            }
        }
        return cleared;
    }

    /// <summary>Whether a JSON null sent for <paramref name="property"/> is taken as left out: optional, and not nullable.</summary>
    static bool NullMeansLeftOut(JsonPropertyInfo property) =>
        !property.IsSetNullable && (property.AssociatedParameter is { } parameter ? parameter.HasDefaultValue : property.Set is not null && !property.IsRequired);

    /// <summary>
    /// Reads the value the reader is at, adding the ranges to blank: a member left out with the comma before it, or for a
    /// first member the comma after it. False when an object names a property twice.
    /// </summary>
    static bool Blank(ref Utf8JsonReader reader, JsonTypeInfo? info, JsonSerializerOptions options, List<(int, int)> blanks)
    {
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var element = info is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } e } ? options.GetTypeInfo(e) : null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!Blank(ref reader, element, options, blanks))
                    return false;
            }
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
            return true;
        var comparer = options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var names = new HashSet<string>(comparer);
        int lastEnd = -1, leading = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var name = reader.GetString()!;
            if (!names.Add(name))
                return false;
            var property = info is { Kind: JsonTypeInfoKind.Object } ? info.Properties.FirstOrDefault(p => comparer.Equals(p.Name, name)) : null;
            var child = property is not null ? options.GetTypeInfo(property.PropertyType)
                : info is { Kind: JsonTypeInfoKind.Dictionary, ElementType: { } e } ? options.GetTypeInfo(e) : null;
            reader.Read();
            // A map's entry whose value is a map or an object (statusMap's "keap": null from a client that writes every
            // property of its model) is left out as well; a null text value (a SKU) stays, for validation to name.
            var entryLeftOut = property is null && info is { Kind: JsonTypeInfoKind.Dictionary } && child is { Kind: JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Object };
            if (reader.TokenType == JsonTokenType.Null && (property is not null && NullMeansLeftOut(property) || entryLeftOut))
            {
                if (lastEnd >= 0)
                    blanks.Add((lastEnd, (int)reader.BytesConsumed));
                else if (leading < 0)
                    leading = start;
                continue;
            }
            if (leading >= 0)
            {
                blanks.Add((leading, start));
                leading = -1;
            }
            if (!Blank(ref reader, child, options, blanks))
                return false;
            lastEnd = (int)reader.BytesConsumed;
        }
        if (leading >= 0)
            blanks.Add((leading, (int)reader.TokenStartIndex));
        return true;
    }

    /// <summary>
    /// The body as sent, when it was buffered (empty otherwise); the stream is left at its start. Read once per request
    /// body: the null rewrite, the validation filter and the idempotency filter all ask for it.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBufferedAsync(HttpRequest request)
    {
        if (!request.Body.CanSeek)
            return ReadOnlyMemory<byte>.Empty;
        if (request.HttpContext.Features.Get<BufferedBody>() is { } kept && ReferenceEquals(kept.Stream, request.Body))
            return kept.Bytes;
        request.Body.Position = 0;
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy);
        request.Body.Position = 0;
        var bytes = copy.ToArray();
        request.HttpContext.Features.Set(new BufferedBody(request.Body, bytes));
        return bytes;
    }

    /// <summary>A request body read by <see cref="ReadBufferedAsync"/>, for the stream it was read from.</summary>
    sealed record BufferedBody(Stream Stream, ReadOnlyMemory<byte> Bytes);

    /// <summary>What a top-level <c>idempotencyKey</c> that is not text is told (a number would otherwise be ignored and the request run twice).</summary>
    public const string IdempotencyKeyNotText = "Must be a string (this request's key, at most 255 characters), or left out.";

    /// <summary>What a top-level <c>idempotencyKey</c> string that is not valid Unicode is told: it cannot be stored, and ignoring it would run the request twice.</summary>
    public const string IdempotencyKeyInvalidText = "Is not valid text (a lone UTF-16 surrogate or invalid UTF-8); send the key as valid text, or left out.";

    /// <summary>
    /// The <c>idempotencyKey</c> value the reader stands on — every body's key is read here, the binder's (ingest) and the
    /// filter's: its text, null for JSON null (no-code tools send null for an unmapped field), or null with
    /// <paramref name="invalid"/> saying what is wrong with it (not a string, or not valid text). The value is consumed.
    /// </summary>
    public static string? ReadIdempotencyKey(ref Utf8JsonReader reader, out string? invalid)
    {
        invalid = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                try
                {
                    return reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    invalid = IdempotencyKeyInvalidText;
                    return null;
                }
            default:
                invalid = IdempotencyKeyNotText;
                reader.Skip();
                return null;
        }
    }

    /// <summary>
    /// The body's top-level <c>idempotencyKey</c> string, if it is a JSON object that has one; null with
    /// <paramref name="invalid"/> saying why when it has one that cannot be taken (<see cref="ReadIdempotencyKey"/>).
    /// </summary>
    public static string? IdempotencyKey(ReadOnlySpan<byte> body, out string? invalid)
    {
        invalid = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals(IdempotencyKeyProperty);
                reader.Read();
                if (isKey)
                    return ReadIdempotencyKey(ref reader, out invalid);
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON the binder accepted: it answered already.
        }
        return null;
    }

    /// <summary>
    /// Where a JSON syntax error is — line and byte position, both 1-based — and what it is: the reader's sentence without the
    /// " LineNumber: 0 | BytePositionInLine: 12." it appends in 0-based terms, so a problem says the place once.
    /// </summary>
    public static (int Line, int Position, string Reason) SyntaxFault(JsonException e, ReadOnlySpan<byte> body)
    {
        if (WideEncoding(body) is { } wide)
            return (1, 1, wide);
        var reason = e.Message;
        foreach (var marker in new[] { " Path: ", " LineNumber: ", " | LineNumber" })
        {
            var at = reason.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
                reason = reason[..at];
        }
        return ((int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1, reason.Trim());
    }

    /// <summary>
    /// The body's encoding when it is UTF-16 or UTF-32 (by its byte order mark, or a first character with a zero byte beside
    /// it), said so, or null: such a body was told "'0xFF' is an invalid start of a value" at position 1, which names no cause
    /// (Windows PowerShell's Out-File and Notepad's "Unicode" save a file so).
    /// </summary>
    static string? WideEncoding(ReadOnlySpan<byte> body)
    {
        var encoding = body switch
        {
            [0xFF, 0xFE, 0, 0, ..] or [0, 0, 0xFE, 0xFF, ..] => "UTF-32",
            [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] or [> 0 and < 0x80, 0, ..] or [0, > 0 and < 0x80, ..] => "UTF-16",
            _ => null,
        };
        return encoding is null ? null : $"The body is {encoding}, not UTF-8: send it as UTF-8 (save the file as UTF-8, or set the tool's encoding to UTF-8).";
    }

    /// <summary>What a property sent twice in one object is told: which of its values is meant cannot be told, so neither is taken.</summary>
    public const string Duplicate = "Appears more than once; send each property once.";

    /// <summary>
    /// Every property of the body that <paramref name="type"/> does not have, at any depth, by its path
    /// (<c>alerts[0].thresold</c>) with a suggestion: "Unknown property; did you mean 'threshold'?", and every property
    /// that appears twice in one object (the binder would keep the last silently). A top-level <c>idempotencyKey</c> is
    /// known to every body.
    /// </summary>
    public static Dictionary<string, string[]> PropertyErrors(ReadOnlySpan<byte> body, Type type, JsonSerializerOptions options)
    {
        var found = new Dictionary<string, string[]>();
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!JsonDocument.TryParseValue(ref reader, out var parsed))
                return found;
            document = parsed;
        }
        catch (JsonException)
        {
            return found;
        }
        using (document)
            Walk(document.RootElement, options.GetTypeInfo(type), "", options, found);
        return found;
    }

    static void Walk(JsonElement value, JsonTypeInfo info, string path, JsonSerializerOptions options, Dictionary<string, string[]> found)
    {
        // One past what an answer lists is enough to tell that there are more (Problems.InvalidFields).
        if (found.Count > Problems.MaxErrors)
            return;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind == JsonValueKind.Object:
                if (info.Properties.Any(p => p.IsExtensionData))
                    return;
                var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                var seen = new HashSet<string>(StringComparer.FromComparison(comparison));
                foreach (var property in value.EnumerateObject())
                {
                    if (found.Count > Problems.MaxErrors)
                        return;
                    var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!seen.Add(property.Name))
                        found[at] = [Duplicate];
                    var known = info.Properties.FirstOrDefault(p => string.Equals(p.Name, property.Name, comparison));
                    if (known is not null)
                        Walk(property.Value, options.GetTypeInfo(known.PropertyType), at, options, found);
                    else if (!(path.Length == 0 && property.NameEquals(IdempotencyKeyProperty)))
                        found[at] = [Unknown(property.Name, info.Properties.Select(p => p.Name).ToList())];
                }
                break;
            case JsonTypeInfoKind.Enumerable when value.ValueKind == JsonValueKind.Array && info.ElementType is { } element:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (found.Count > Problems.MaxErrors)
                        return;
                    Walk(item, options.GetTypeInfo(element), $"{path}[{i++}]", options, found);
                }
                break;
            case JsonTypeInfoKind.Dictionary when value.ValueKind == JsonValueKind.Object && info.ElementType is { } element:
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    if (found.Count > Problems.MaxErrors)
                        return;
                    var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!keys.Add(property.Name))
                        found[at] = [Duplicate];
                    Walk(property.Value, options.GetTypeInfo(element), at, options, found);
                }
                break;
        }
    }

    static string Unknown(string name, IReadOnlyList<string> known) => Spelling.Closest(name, known) is { } closest
        ? $"Unknown property; did you mean '{closest}'?"
        : $"Unknown property; expected {(known.Count == 0 ? "none" : "one of: " + string.Join(", ", known))}.";

    /// <summary>An enum member's name on the wire (snake_case).</summary>
    static string Wire(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>What a value of <paramref name="type"/> must look like, as a caller reads it (never a .NET type name).</summary>
    public static string Expectation(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
            return $"Must be one of: {string.Join(", ", Enum.GetNames(type).Select(Wire))}.";
        return Type.GetTypeCode(type) switch
        {
            TypeCode.DateTime => "Must be a date like 2026-11-01T00:00:00Z.",
            TypeCode.Boolean => "Must be true or false.",
            TypeCode.String or TypeCode.Char => "Must be text.",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64
                => "Must be a whole number.",
            TypeCode.Decimal or TypeCode.Double or TypeCode.Single => "Must be a number.",
            _ when type == typeof(DateTimeOffset) => "Must be a date like 2026-11-01T00:00:00Z.",
            _ when type == typeof(DateOnly) => "Must be a date like 2026-11-01.",
            _ when type == typeof(TimeSpan) => "Must be a duration like 01:30:00.",
            _ when type == typeof(Guid) => "Must be an id like 0193f0c2-7d4e-7a10-9c55-3c1f0b6f2a11.",
            // The declared type may be the interface itself, which GetInterfaces() does not list.
            _ when type.IsAssignableTo(typeof(System.Collections.IDictionary)) || type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
                => "Must be a JSON object.",
            _ when type.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "Must be a list (a JSON array).",
            _ => "Must be a JSON object.",
        };
    }

    /// <summary>
    /// The type a JSON path of the body (<c>$.alerts[0].threshold</c>, as <see cref="JsonException.Path"/> gives it) leads to,
    /// and the path as the wire names it (<c>alerts[0].threshold</c>); null where the path leaves the type. A key a map
    /// keyed by an enum does not have (<c>statusMap.mars</c>) is an unknown property: <paramref name="unknownKey"/> says so.
    /// </summary>
    public static (string Field, Type? Type) Resolve(string path, Type root, JsonSerializerOptions options, out string? unknownKey)
    {
        unknownKey = null;
        var field = new System.Text.StringBuilder();
        Type? type = root;
        foreach (var (name, index) in PathSteps(path))
        {
            if (name is null)
            {
                field.Append('[').Append(index).Append(']');
                type = type is null ? null : options.GetTypeInfo(type) is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } e } ? e : null;
                continue;
            }
            if (field.Length > 0)
                field.Append('.');
            field.Append(name);
            var parent = type is null ? null : options.GetTypeInfo(type);
            if (parent is { Kind: JsonTypeInfoKind.Dictionary, KeyType: { IsEnum: true } keys }
                && Enum.GetNames(keys).Select(Wire).ToList() is var names && !names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                unknownKey = Unknown(name, names);
                return (field.ToString(), null);
            }
            type = parent switch
            {
                { Kind: JsonTypeInfoKind.Object } info => info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType,
                { Kind: JsonTypeInfoKind.Dictionary, ElementType: { } e } => e,
                _ => null,
            };
        }
        return (field.ToString(), type);
    }

    /// <summary>
    /// The steps of a JSON path as <see cref="JsonException.Path"/> writes it (<c>$.alerts[0].name</c>, <c>$['odd.name']</c>):
    /// a property's name, or (name null) an array index.
    /// </summary>
    public static IEnumerable<(string? Name, int Index)> PathSteps(string path)
    {
        foreach (System.Text.RegularExpressions.Match step in PathStep().Matches(path))
        {
            yield return step.Groups["index"].Success
                ? (null, int.Parse(step.Groups["index"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture))
                : (step.Groups["name"].Value, 0);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<name>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial System.Text.RegularExpressions.Regex PathStep();
}
