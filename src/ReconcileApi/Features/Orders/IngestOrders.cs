using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Orders;

public sealed record IngestReceipt(
    Guid BatchId,
    OrderSource Source,
    string Format,
    int Received,
    int Inserted,
    int Updated,
    int Unchanged,
    int Rejected,
    IReadOnlyList<ReceiptError> Errors);

/// <summary>POST /api/v1/sources/{source}/orders — store a batch of orders of one side.</summary>
public static class IngestOrders
{
    public const int MaxOrdersPerRequest = 50_000;
    static readonly string[] Formats = ["canonical"];

    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/sources/{source}/orders", Handle)
        .WithName(nameof(IngestOrders))
        .WithSummary("Ingest a batch of orders from the store or from Keap")
        .WithDescription("Body: a JSON array of canonical orders, `{\"orders\": [...]}`, or one order object. " +
            "Each order is validated on its own: valid orders are upserted by (source, orderId) and counted as inserted, " +
            "updated (the previous version is kept) or unchanged; invalid ones are listed in `errors` and kept with the batch.")
        .Accepts<CanonicalOrder[]>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .WithExamples(request: Examples.Orders, response: Examples.Receipt);

    public static async Task<Results<Created<IngestReceipt>, ProblemHttpResult>> Handle(
        string source,
        [FromQuery] string? format,
        [FromQuery] string? timezone,
        HttpRequest request,
        ClaimsPrincipal user,
        ReconcileDbContext db,
        OrderIngest ingest,
        IConfiguration configuration,
        CancellationToken ct)
    {
        if (!TryParseSource(source, out var side))
            return Problems.NotFound("Source", source);
        format = string.IsNullOrWhiteSpace(format) ? "canonical" : format.Trim().ToLowerInvariant();
        if (!Formats.Contains(format))
            return Problems.BadRequest($"Unknown format '{format}'. Supported: {string.Join(", ", Formats)}.");
        if (!IsJson(request.ContentType))
            return Problems.UnsupportedMediaType($"Content-Type '{request.ContentType}' is not supported; send application/json.");
        var limit = configuration.MaxRequestBodyBytes();
        if (request.ContentLength > limit)
            return Problems.PayloadTooLarge($"The body is {request.ContentLength} bytes; the limit is {limit} bytes.");

        var workspaceId = user.WorkspaceId();
        TimeZoneInfo zone;
        if (timezone is not null)
        {
            if (!Lenient.TryZone(timezone, out zone))
                return Problems.BadRequest($"Unknown timezone '{timezone}'; use an IANA name such as America/New_York.");
        }
        else
        {
            var workspaceZone = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Timezone).SingleAsync(ct);
            Lenient.TryZone(workspaceZone, out zone);
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }, ct);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var position = (e.BytePositionInLine ?? 0) + 1;
            return Problems.BadRequest($"Malformed JSON at line {line}, position {position}: {e.Message}",
                new Dictionary<string, object?> { ["line"] = line, ["position"] = position });
        }
        using (document)
        {
            var root = document.RootElement;
            var orders = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when root.TryGetProperty("orders", out var wrapped) && wrapped.ValueKind == JsonValueKind.Array => wrapped,
                JsonValueKind.Object => root,
                _ => default,
            };
            if (orders.ValueKind == JsonValueKind.Undefined)
                return Problems.BadRequest("The body must be a JSON array of orders, {\"orders\": [...]}, or one order object.");
            var count = orders.ValueKind == JsonValueKind.Array ? orders.GetArrayLength() : 1;
            if (count > MaxOrdersPerRequest)
                return Problems.PayloadTooLarge($"The body holds {count} orders; send at most {MaxOrdersPerRequest} per request.");

            var records = new List<IncomingRecord>(count);
            var elements = orders.ValueKind == JsonValueKind.Array ? orders.EnumerateArray().ToList() : [orders];
            for (var i = 0; i < elements.Count; i++)
            {
                var read = new CanonicalFormat().Read(elements[i], new FormatContext(zone, new Dictionary<string, string>()));
                records.Add(new IncomingRecord(i, read.Order, elements[i].GetRawText(), read.Errors));
            }
            var batch = await ingest.StoreAsync(workspaceId, side, format, records, ct);
            return TypedResults.Created($"/api/v1/batches/{batch.Id}", ToReceipt(batch));
        }
    }

    public static IngestReceipt ToReceipt(Batch batch) => new(
        batch.Id, batch.Source, batch.Format, batch.Received, batch.Inserted, batch.Updated, batch.Unchanged, batch.Rejected,
        JsonSerializer.Deserialize<List<ReceiptError>>(batch.Errors, OrderJson.Options)!);

    public static bool TryParseSource(string text, out OrderSource source) =>
        Enum.TryParse(text, ignoreCase: true, out source) && Enum.IsDefined(source) && !int.TryParse(text, out _);

    static bool IsJson(string? contentType) =>
        contentType is not null &&
        (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
         contentType.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
