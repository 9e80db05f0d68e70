using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using ReconcileApi.Features.Orders.Formats;
using ReconcileApi.Features.Settings;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// The request of <c>POST /api/v1/sources/{source}/orders</c>, read whole while it is bound — before an
/// idempotency key is claimed or anything stored: the side, the format, the body (JSON, CSV, an .xlsx
/// workbook, or either as the <c>file</c> of a form upload) with its orders located and ready to read
/// chunk by chunk, and the body's own <c>idempotencyKey</c> — or the <see cref="Problem"/> that stops it.
/// A malformed body therefore stores nothing and claims no key: the caller fixes it and retries with the same key.
/// </summary>
public sealed class IngestRequest : IIdempotentBody, IEndpointParameterMetadataProvider
{
    public const int MaxOrdersPerRequest = 50_000;
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    enum BodyKind { Json, Csv, Xlsx }

    /// <summary>The parameters read here; ApiExplorer cannot see into a binder, so the contract learns them from this.</summary>
    static readonly OpenApi.BinderParameter[] Parameters =
    [
        new("source", ParameterLocation.Path),
        new("format", ParameterLocation.Query),
        new("timezone", ParameterLocation.Query),
        new("columnMap", ParameterLocation.Query),
        new("dateOrder", ParameterLocation.Query),
    ];

    static string AllFormats => string.Join(", ", OrderFormats.Json.Keys.Concat(OrderFormats.Tables.Keys));

    IngestRequest(ProblemHttpResult problem) => Problem = problem;

    IngestRequest(OrderSource side, string format, IEnumerable<IReadOnlyList<IncomingRecord>> chunks, ReadOnlyMemory<byte> body, string? idempotencyKey)
    {
        Side = side;
        Format = format;
        Chunks = chunks;
        Body = body;
        IdempotencyKey = idempotencyKey;
    }

    /// <summary>Why the request cannot be stored; null when it can.</summary>
    public ProblemHttpResult? Problem { get; }
    public OrderSource Side { get; }
    /// <summary>The format the body was read in: the one asked for, or the one a table's header looks like.</summary>
    public string Format { get; } = "";
    /// <summary>The body's records, read by the format a chunk at a time as they are stored.</summary>
    public IEnumerable<IReadOnlyList<IncomingRecord>> Chunks { get; } = [];
    /// <summary>The body as sent (the uploaded file for a form): what a repeated key must match.</summary>
    public ReadOnlyMemory<byte> Body { get; }
    public string? IdempotencyKey { get; }

    public static async ValueTask<IngestRequest> BindAsync(HttpContext context)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        if (!TryParseSource(request.RouteValues["source"]?.ToString() ?? "", out var side))
            return new(Problems.NotFound("Source", request.RouteValues["source"] ?? ""));
        // The framework joins a parameter's copies with a comma: format=canonical&format=csv was "Unknown format 'canonical,csv'".
        if (QueryParameters.FirstOrDefault(name => request.Query[name].Count > 1) is { } repeated)
            return new(Problems.Invalid(repeated, Paging.GivenTwice, $"The query parameter '{repeated}' is given more than once; send it once."));
        var format = Query(request, "format")?.Trim().ToLowerInvariant();
        if (format is not null && !OrderFormats.Json.ContainsKey(format) && !OrderFormats.Tables.ContainsKey(format))
            return new(Problems.Invalid("format", $"Must be one of: {AllFormats}.", $"Unknown format '{format}'. Supported: {AllFormats}."));
        var limit = context.RequestServices.GetRequiredService<IOptions<ServiceOptions>>().Value.Limits.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
            return new(Problems.PayloadTooLarge($"The body is {request.ContentLength} bytes; the limit is {limit} bytes."));
        if (!TryParseColumnMap(Query(request, "columnMap"), out var map, out var twice))
            return new(twice is not null
                ? Problems.Invalid("columnMap", $"Maps '{twice}' more than once; map each field to one header.",
                    $"columnMap maps '{twice}' more than once; which header is meant cannot be told, so map each field to one header.")
                : Problems.Invalid("columnMap", "Must be `field=Header;field=Header` or a JSON object {\"field\": \"Header\"}.",
                    "columnMap must be `field=Header;field=Header` or a JSON object {\"field\": \"Header\"}."));

        // The body: JSON, CSV or a workbook, directly or as the `file` of a form upload.
        ArraySegment<byte>? received;
        BodyKind kind;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or (IOException and not BadHttpRequestException) && !ct.IsCancellationRequested)
            {
                // No boundary, a malformed part header, a truncated body, too many parts, an over-long boundary…
                return new(Problems.BadRequest($"The form upload could not be read: {Unreadable(request, e)} Send multipart/form-data with a boundary and the export as `file`."));
            }
            if (FormFault(form) is { } fault)
                return new(fault);
            var file = form.Files[0];
            if (BodyEncoding.CharsetFault(file.ContentType) is { } charset)
                return new(Problems.UnsupportedMediaType(charset));
            if (file.Length > limit)
                return new(Problems.PayloadTooLarge($"The file is {file.Length} bytes; the limit is {limit} bytes."));
            kind = file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) || file.ContentType == Xlsx ? BodyKind.Xlsx
                : file.FileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || file.ContentType.Contains("json") ? BodyKind.Json
                : BodyKind.Csv;
            await using var stream = file.OpenReadStream();
            received = await RequestBody.ReadAsync(context, stream, limit, file.Length, ct);
        }
        else
        {
            if (KindOf(request.ContentType, format) is not { } k)
                return new(Problems.UnsupportedMediaType($"Content-Type '{request.ContentType}' is not supported; send application/json, text/csv, {Xlsx} or multipart/form-data with a `file`."));
            kind = k;
            received = await RequestBody.ReadAsync(context, request.Body, limit, request.ContentLength, ct);
        }
        if (received is not { } body)
            return new(Problems.PayloadTooLarge($"The body is over the limit of {limit} bytes."));
        if (format is not null && (kind == BodyKind.Json) != OrderFormats.Json.ContainsKey(format))
            return new(Problems.UnsupportedMediaType(kind == BodyKind.Json
                ? $"Format '{format}' is a table format; send it as text/csv, .xlsx or a file upload."
                : $"Format '{format}' is a JSON format; send it as application/json."));

        var zone = TimeZoneInfo.Utc;
        if (Query(request, "timezone") is { } timezone)
        {
            if (!TimeZones.TryFindName(timezone, out zone))
                return new(Problems.Invalid("timezone", "Must be an IANA time zone such as America/New_York.",
                    $"Unknown timezone '{timezone}'; use an IANA name such as America/New_York."));
        }
        else
        {
            var db = context.RequestServices.GetRequiredService<ReconcileDbContext>();
            var workspaceZone = await db.Workspaces.Where(w => w.Id == context.User.WorkspaceId()).Select(w => w.Timezone).SingleAsync(ct);
            TimeZones.TryFind(workspaceZone, out zone);
        }
        // Numeric dates such as 05/06/2026: the request's order, else the workspace's; neither rejects the ambiguous ones (but where a table's own dates show the order: TableOrders).
        DateOrder? dateOrder;
        if (Query(request, "dateOrder") is { } orderText)
        {
            if (!WireEnum.TryParse<DateOrder>(orderText, out var parsed))
                return new(Problems.Invalid("dateOrder", "Must be one of: dmy, mdy.",
                    $"Unknown dateOrder '{orderText}'; use dmy (05/06/2026 is 5 June) or mdy (05/06/2026 is May 6)."));
            dateOrder = parsed;
        }
        else
        {
            dateOrder = (await SettingsStore.CurrentAsync(context.RequestServices.GetRequiredService<ReconcileDbContext>(), context.User.WorkspaceId(), ct)).DateOrder;
        }
        var formatContext = new FormatContext(zone, map, dateOrder, side);

        // The whole body's structure is read here, so that a malformed one is refused before anything is stored.
        if (kind == BodyKind.Json)
        {
            var jsonFormat = OrderFormats.Json[format ?? "canonical"];
            if (!JsonOrderList.TryLocate(body, format is null ? OrderFormats.JsonWrappers : jsonFormat.WrapperProperties, out var list, out var malformedJson))
                return new(malformedJson.ToProblem());
            if (format is null)
            {
                // No ?format=: a vendor's own JSON (Shopify, WooCommerce, BigCommerce, Keap) is recognised by its fields.
                var detected = OrderFormats.DetectJson(list.FieldNames(3));
                if (detected.Format is null)
                    return new(Problems.BadRequest(detected.Hint!));
                jsonFormat = detected.Format;
                // Found in a wrapper this format does not have ({"order": …} for canonical): the object is then one order.
                if (list.Wrapper is { } wrapper && !jsonFormat.WrapperProperties.Contains(wrapper)
                    && !JsonOrderList.TryLocate(body, jsonFormat.WrapperProperties, out list, out malformedJson))
                    return new(malformedJson.ToProblem());
            }
            if (list.Elements.Count > MaxOrdersPerRequest)
                return new(TooMany(list.Elements.Count));
            return new(side, jsonFormat.Name, JsonChunks(list, jsonFormat, formatContext), body, list.IdempotencyKey);
        }
        Table? table;
        MalformedBody? malformed;
        var read = kind == BodyKind.Xlsx ? TableReader.TryReadXlsx(body, out table, out malformed) : TableReader.TryReadCsv(body, out table, out malformed);
        if (!read)
            return new(malformed!.ToProblem());
        format ??= OrderFormats.DetectTable(table!.Header) ?? "csv";
        if (!OrderFormats.Tables.TryGetValue(format, out var tableFormat))
            return new(Problems.BadRequest($"Table format '{format}' is not available. Supported: {string.Join(", ", OrderFormats.Tables.Keys)}."));
        var orders = tableFormat.Read(table!, formatContext).ToList();
        if (orders.Count > MaxOrdersPerRequest)
            return new(TooMany(orders.Count));
        return new(side, format, TableChunks(orders), body, idempotencyKey: null);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        foreach (var p in Parameters)
            builder.Metadata.Add(p);
        builder.Metadata.Add(new OpenApi.ParameterValues("format", "IngestFormat", [.. OrderFormats.Json.Keys, .. OrderFormats.Tables.Keys]));
        builder.Metadata.Add(OpenApi.EnumParameter<DateOrder>("dateOrder"));
        // Vendor payloads stay lenient: this binder reads the body, not the framework's JSON binding.
        builder.Metadata.Add(new JsonBodies.ReadByBinder());
    }

    public static bool TryParseSource(string text, out OrderSource source) =>
        Enum.TryParse(text, ignoreCase: true, out source) && Enum.IsDefined(source) && !int.TryParse(text, out _);

    static readonly string[] QueryParameters = ["format", "columnMap", "timezone", "dateOrder"];

    static string? Query(HttpRequest request, string name) =>
        request.Query[name].ToString() is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>What was wrong with a form upload that could not be read, in our words: the framework's text names its own internals.</summary>
    static string Unreadable(HttpRequest request, Exception e)
    {
        var boundary = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            ? Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Boundary).Length : 0;
        return boundary == 0 ? "the Content-Type has no boundary."
            : boundary > MaxBoundaryLength ? $"the boundary is longer than {MaxBoundaryLength} characters."
            : e.Message.Contains("count limit", StringComparison.OrdinalIgnoreCase) ? $"it has more than {MaxFormParts:N0} parts."
            : "the multipart body is incomplete or malformed.";
    }

    /// <summary>The framework's form limits (FormOptions' defaults), as they are told to the caller.</summary>
    const int MaxBoundaryLength = 70, MaxFormParts = 1024;

    /// <summary>
    /// Why a form upload is not one <c>file</c> and nothing else, or null when it is. One file per request keeps one batch
    /// one file — its receipt's lines, its stored records and its idempotency hash are that file's — so a second file is
    /// refused rather than read into the same batch; any other field would be left unread, so it is refused by its name.
    /// </summary>
    static ProblemHttpResult? FormFault(IFormCollection form)
    {
        const string Attach = "attach the export as `file`, one file per request";
        var files = form.Files.GetFiles("file");
        if (files.Count == 0)
            return Problems.BadRequest($"The form upload has no `file` field; {Attach}.");
        if (files.Count > 1)
            return Problems.Invalid("file", $"Sent {files.Count} times; send one file per request.", $"The form upload has {files.Count} `file` parts; send one file per request.");
        var other = form.Files.FirstOrDefault(f => f.Name != "file")?.Name ?? form.Keys.FirstOrDefault();
        return other is null ? null
            : Problems.Invalid(other, $"Unknown form field; {Attach}.", $"The form upload has a field '{other}' that is not read; {Attach}.");
    }

    static ProblemHttpResult TooMany(int count) =>
        Problems.PayloadTooLarge($"The body holds {count} orders; send at most {MaxOrdersPerRequest} per request.");

    static IEnumerable<IReadOnlyList<IncomingRecord>> JsonChunks(JsonOrderList list, IJsonOrderFormat format, FormatContext context)
    {
        var seed = SentRecord.Seed(format.Name, context);
        var chunk = new List<IncomingRecord>(OrderStore.ChunkSize);
        for (var i = 0; i < list.Elements.Count; i++)
        {
            var element = list.Element(i);
            var sent = SentRecord.Of(element.Span, seed, format.OrderIdField);
            chunk.Add(new IncomingRecord(i, null, () => Read(element, format, context, sent.OrderId), () => InvalidText.Raw(element), sent));
            if (chunk.Count == OrderStore.ChunkSize)
            {
                yield return chunk;
                chunk = new List<IncomingRecord>(OrderStore.ChunkSize);
            }
        }
        if (chunk.Count > 0)
            yield return chunk;
    }

    /// <summary>The record read by its format; <paramref name="orderId"/>, its id as a shallow scan found it, names a record rejected unread.</summary>
    static ReadOrder Read(ReadOnlyMemory<byte> element, IJsonOrderFormat format, FormatContext context, string? orderId)
    {
        if (format.TryReadClean(element.Span, context) is { } clean)
            return new ReadOrder(clean, new ReadProblems());
        using var document = JsonOrderList.ParseOrder(element, out var duplicate);
        if (document is null)
            return ReadOrder.Rejected(duplicate!, JsonBodies.Duplicate, orderId);
        try
        {
            return format.Read(document.RootElement, context);
        }
        catch (InvalidOperationException) when (InvalidText.Find(document.RootElement) is { } path)
        {
            return InvalidText.Rejected(document.RootElement, format.OrderIdField, path);
        }
    }

    static IEnumerable<IReadOnlyList<IncomingRecord>> TableChunks(List<TableOrder> orders) =>
        orders.Select((o, i) => new IncomingRecord(i, o.Line, o.Read, () => JsonSerializer.SerializeToElement(o.Raw)))
            .Chunk(OrderStore.ChunkSize);

    static BodyKind? KindOf(string? contentType, string? format)
    {
        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/json" => BodyKind.Json,
            not null when mediaType.EndsWith("+json", StringComparison.Ordinal) => BodyKind.Json,
            "text/csv" or "application/csv" or "text/comma-separated-values" => BodyKind.Csv,
            // Some tools label CSV text/plain; accept it when a table format says what it is.
            "text/plain" when format is not null && OrderFormats.Tables.ContainsKey(format) => BodyKind.Csv,
            Xlsx => BodyKind.Xlsx,
            _ => null,
        };
    }

    /// <summary>The column map as sent; false when it does not read, or (<paramref name="twice"/>) names a field more than once.</summary>
    static bool TryParseColumnMap(string? text, out IReadOnlyDictionary<string, string> map, out string? twice)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        (map, twice) = (result, null);
        if (string.IsNullOrWhiteSpace(text))
            return true;
        var pairs = new List<(string Field, string? Header)>();
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                foreach (var property in document.RootElement.EnumerateObject())
                    pairs.Add((property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return false;
            }
        }
        else
        {
            foreach (var pair in text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || parts[0].Length == 0)
                    return false;
                pairs.Add((parts[0], parts[1]));
            }
        }
        foreach (var (field, header) in pairs)
        {
            if (string.IsNullOrWhiteSpace(header))
                return false;
            // Which of two headers is meant cannot be told: the last silently won.
            if (!result.TryAdd(field, header))
            {
                twice = field;
                return false;
            }
        }
        return true;
    }
}
