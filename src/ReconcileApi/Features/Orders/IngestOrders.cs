using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Orders;

/// <summary>A problem with one record of a batch: an error (rejected) or a warning (stored without the field it names).</summary>
public sealed record ReceiptError(int Index, string? OrderId, string Field, string Message, int? Line = null);

public sealed record IngestReceipt(
    Guid BatchId,
    OrderSource Source,
    string Format,
    int Received,
    int Inserted,
    int Updated,
    int Unchanged,
    int Rejected,
    int Skipped,
    int Repeated,
    IReadOnlyList<ReceiptError> Errors,
    IReadOnlyList<ReceiptError> Warnings);

/// <summary>POST /api/v1/sources/{source}/orders — store a batch of orders of one side, in any supported shape.</summary>
public static class IngestOrders
{
    public const int MaxOrdersPerRequest = 50_000;
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    enum BodyKind { Json, Csv, Xlsx }

    static string AllFormats => string.Join(", ", OrderFormats.Json.Keys.Concat(OrderFormats.Tables.Keys));

    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/sources/{source}/orders", Handle)
        .WithName(nameof(IngestOrders))
        .WithSummary("Ingest a batch of orders from the store or from Keap (JSON, CSV, .xlsx or a file upload)")
        .WithDescription("JSON bodies: an array of orders, the format's list wrapper (`{\"orders\": [...]}`), or one order; `?format=` canonical (default), " +
            "shopify, woocommerce, bigcommerce or keap. CSV (`text/csv`), an Excel workbook (first sheet) or a `multipart/form-data` upload with a `file` field: " +
            "`?format=` csv, shopify-csv or keap-csv (detected from the header when absent); `?columnMap=total=Grand Total;orderId=Ref` maps columns explicitly. " +
            "Timestamps without an offset are read in `?timezone=` (IANA) or the workspace's timezone. Each order is validated on its own: valid orders are " +
            "upserted by (source, orderId) and counted as inserted, updated (the previous version is kept) or unchanged; invalid ones are listed in `errors` " +
            "and kept with the batch. Send `Idempotency-Key` (or a top-level `idempotencyKey` in a JSON object body) to make a retry safe.")
        // Routing answers 415 for any other content type; the handler says which body it needs.
        .Accepts<CanonicalOrder[]>("application/json", "text/csv", "application/csv", "text/plain", Xlsx, "multipart/form-data")
        .WithMetadata(new Idempotency.SelfManaged())
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .WithExamples(request: Examples.Orders, response: Examples.Receipt);

    public static async Task<IResult> Handle(
        string source,
        [FromQuery] string? format,
        [FromQuery] string? timezone,
        [FromQuery] string? columnMap,
        HttpRequest request,
        ClaimsPrincipal user,
        ReconcileDbContext db,
        OrderStore ingest,
        Idempotency idempotency,
        IConfiguration configuration,
        IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        if (!TryParseSource(source, out var side))
            return Problems.NotFound("Source", source);
        format = string.IsNullOrWhiteSpace(format) ? null : format.Trim().ToLowerInvariant();
        if (format is not null && !OrderFormats.Json.ContainsKey(format) && !OrderFormats.Tables.ContainsKey(format))
            return Problems.BadRequest($"Unknown format '{format}'. Supported: {AllFormats}.");
        var limit = configuration.MaxRequestBodyBytes();
        if (request.ContentLength > limit)
            return Problems.PayloadTooLarge($"The body is {request.ContentLength} bytes; the limit is {limit} bytes.");
        if (!TryParseColumnMap(columnMap, out var map))
            return Problems.BadRequest("columnMap must be `field=Header;field=Header` or a JSON object {\"field\": \"Header\"}.");

        // The body: JSON, CSV or a workbook, directly or as the `file` of a form upload.
        byte[]? body;
        BodyKind kind;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files.GetFile("file") is not { } file)
                return Problems.BadRequest("The form upload has no `file` field; attach the export as `file`.");
            if (file.Length > limit)
                return Problems.PayloadTooLarge($"The file is {file.Length} bytes; the limit is {limit} bytes.");
            kind = file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) || file.ContentType == Xlsx ? BodyKind.Xlsx
                : file.FileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || file.ContentType.Contains("json") ? BodyKind.Json
                : BodyKind.Csv;
            await using var stream = file.OpenReadStream();
            body = await RequestBody.ReadAsync(stream, limit, file.Length, ct);
        }
        else
        {
            if (KindOf(request.ContentType, format) is not { } k)
                return Problems.UnsupportedMediaType($"Content-Type '{request.ContentType}' is not supported; send application/json, text/csv, {Xlsx} or multipart/form-data with a `file`.");
            kind = k;
            body = await RequestBody.ReadAsync(request.Body, limit, request.ContentLength, ct);
        }
        if (body is null)
            return Problems.PayloadTooLarge($"The body is over the limit of {limit} bytes.");
        if (format is not null && (kind == BodyKind.Json) != OrderFormats.Json.ContainsKey(format))
            return Problems.UnsupportedMediaType(kind == BodyKind.Json
                ? $"Format '{format}' is a table format; send it as text/csv, .xlsx or a file upload."
                : $"Format '{format}' is a JSON format; send it as application/json.");

        var zone = TimeZoneInfo.Utc;
        if (timezone is not null)
        {
            if (!TimeZones.TryFind(timezone, out zone))
                return Problems.BadRequest($"Unknown timezone '{timezone}'; use an IANA name such as America/New_York.");
        }
        else
        {
            var workspaceZone = await db.Workspaces.Where(w => w.Id == user.WorkspaceId()).Select(w => w.Timezone).SingleAsync(ct);
            TimeZones.TryFind(workspaceZone, out zone);
        }
        var context = new FormatContext(zone, map);

        // Read the whole request's structure before anything is stored: a malformed body stores nothing.
        string? bodyKey = null;
        IEnumerable<IReadOnlyList<IncomingRecord>> chunks;
        int count;
        try
        {
            if (kind == BodyKind.Json)
            {
                var jsonFormat = OrderFormats.Json[format ?? "canonical"];
                format = jsonFormat.Name;
                var list = JsonOrderList.Locate(body, jsonFormat.WrapperProperties);
                bodyKey = list.IdempotencyKey;
                count = list.Elements.Count;
                chunks = JsonChunks(list, jsonFormat, context);
            }
            else
            {
                var table = kind == BodyKind.Xlsx ? TableReader.ReadXlsx(body) : TableReader.ReadCsv(body);
                format ??= OrderFormats.DetectTable(table.Header) ?? "csv";
                if (!OrderFormats.Tables.TryGetValue(format, out var tableFormat))
                    return Problems.BadRequest($"Table format '{format}' is not available. Supported: {string.Join(", ", OrderFormats.Tables.Keys)}.");
                var orders = tableFormat.Read(table, context).ToList();
                count = orders.Count;
                chunks = TableChunks(orders);
            }
        }
        catch (MalformedBodyException e)
        {
            return Problems.BadRequest(e.Message, new Dictionary<string, object?> { ["line"] = e.Line, ["position"] = e.Position });
        }
        if (count > MaxOrdersPerRequest)
            return Problems.PayloadTooLarge($"The body holds {count} orders; send at most {MaxOrdersPerRequest} per request.");

        var workspaceId = user.WorkspaceId();
        var key = request.Headers[Idempotency.Header].ToString() is { Length: > 0 } header ? header : bodyKey;
        if (key is not null)
        {
            switch (await idempotency.BeginAsync(workspaceId, key, Idempotency.HashRequest(request, body), ct))
            {
                case Idempotency.Replay replay:
                    return Idempotency.ReplayResult(replay);
                case Idempotency.Rejected rejected:
                    return rejected.Problem;
            }
        }
        Batch batch;
        try
        {
            batch = await ingest.StoreAsync(workspaceId, side, format, chunks, ct);
        }
        catch when (key is not null)
        {
            await idempotency.CompleteAsync(workspaceId, key, StatusCodes.Status500InternalServerError, null, null);
            throw;
        }
        var receipt = ToReceipt(batch);
        var location = $"/api/v1/batches/{batch.Id}";
        if (key is not null)
            await idempotency.CompleteAsync(workspaceId, key, StatusCodes.Status201Created, JsonSerializer.Serialize(receipt, json.Value.SerializerOptions), location);
        return TypedResults.Created(location, receipt);
    }

    static IEnumerable<IReadOnlyList<IncomingRecord>> JsonChunks(JsonOrderList list, IJsonOrderFormat format, FormatContext context)
    {
        var chunk = new List<IncomingRecord>(OrderStore.ChunkSize);
        for (var i = 0; i < list.Elements.Count; i++)
        {
            var element = list.Element(i);
            ReadOrder read;
            using (var document = JsonDocument.Parse(element))
                read = format.Read(document.RootElement, context);
            chunk.Add(new IncomingRecord(i, null, read, () => JsonDocument.Parse(element).RootElement.Clone()));
            if (chunk.Count == OrderStore.ChunkSize)
            {
                yield return chunk;
                chunk = new List<IncomingRecord>(OrderStore.ChunkSize);
            }
        }
        if (chunk.Count > 0)
            yield return chunk;
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

    static bool TryParseColumnMap(string? text, out IReadOnlyDictionary<string, string> map)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        map = result;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        try
        {
            if (text.TrimStart().StartsWith('{'))
            {
                foreach (var (field, header) in JsonSerializer.Deserialize<Dictionary<string, string>>(text)!)
                    result[field] = header;
                return true;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        foreach (var pair in text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                return false;
            result[parts[0]] = parts[1];
        }
        return true;
    }

    public static IngestReceipt ToReceipt(Batch batch) => new(
        batch.Id, batch.Source, batch.Format, batch.Received, batch.Inserted, batch.Updated, batch.Unchanged, batch.Rejected, batch.Skipped, batch.Repeated,
        JsonSerializer.Deserialize<List<ReceiptError>>(batch.Errors, StoredJson.Options)!,
        JsonSerializer.Deserialize<List<ReceiptError>>(batch.Warnings, StoredJson.Options)!);

    public static bool TryParseSource(string text, out OrderSource source) =>
        Enum.TryParse(text, ignoreCase: true, out source) && Enum.IsDefined(source) && !int.TryParse(text, out _);
}
