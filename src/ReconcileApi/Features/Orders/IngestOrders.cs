using System.Text.Json.Serialization;
using ReconcileApi.Features.Alerts;
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

/// <summary>
/// The ingest's 422 as a generated client reads it: the problem's fields and, when every order of the batch was rejected, the
/// receipt's (what to fix is in <c>errors</c>). A 422 for a reused Idempotency-Key has the problem's fields alone, so none is required.
/// Only the contract names it (each field absent rather than null, as on the wire): the handler writes the receipt as the problem's extensions.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1812", Justification = "Only the contract names it.")]
public sealed class RejectedIngestProblem
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Type { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Title { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Status { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Detail { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Instance { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TraceId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Guid? BatchId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public OrderSource? Source { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Format { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Received { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Inserted { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Updated { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Unchanged { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Rejected { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Skipped { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Repeated { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<ReceiptError>? Errors { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<ReceiptError>? Warnings { get; init; }
}

/// <summary>POST /api/v1/sources/{source}/orders — store a batch of orders of one side, in any supported shape.</summary>
public static class IngestOrders
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/sources/{source}/orders", Handle)
        .WithName(nameof(IngestOrders))
        .WithSummary("Ingest a batch of orders from the store or from Keap (JSON, CSV, .xlsx or a file upload)")
        .WithDescription("JSON bodies: an array of orders, the format's list wrapper (`{\"orders\": [...]}`; for shopify-graphql the `orders` query's " +
            "response, `{\"data\": {\"orders\": {\"edges\"|\"nodes\": [...]}}}`), or one order; `?format=` canonical (default), " +
            "shopify, shopify-graphql, woocommerce, bigcommerce or keap; without it, a vendor's own JSON is recognised by its documented fields (the receipt's `format` says " +
            "which was used) and vendor-like JSON that names no one vendor is a 400 naming the values to send. CSV (`text/csv`), an Excel workbook (first sheet) or a `multipart/form-data` upload with a `file` field: " +
            "`?format=` csv, shopify-csv or keap-csv (detected from the header when absent); `?columnMap=total=Grand Total;orderId=Ref` maps columns explicitly. " +
            "Timestamps without an offset are read in `?timezone=` (IANA) or the workspace's timezone; a numeric date whose day could come first or second (05/06/2026) " +
            "is rejected unless `?dateOrder=dmy|mdy` or the workspace setting `dateOrder` says which, or, in a table, its other dates all show one order (25/11/2026: day first; read so with a warning). Each order is validated on its own: valid orders are " +
            "upserted by (source, orderId) and counted as inserted, updated (the previous version is kept) or unchanged — or skipped, with a warning, when its own update time " +
            "says it is older than the version stored (webhooks arrive out of order); invalid ones are listed in `errors` " +
            "and kept with the batch; when every order is rejected the answer is a 422 problem that carries the receipt's fields (the batch is stored and its Location works). Send `Idempotency-Key` (or a top-level `idempotencyKey` in a JSON object body) to make a retry safe.")
        // Routing answers 415 for any other content type; the binder says which body it needs.
        .Accepts<CanonicalOrder[]>("application/json", "text/csv", "application/csv", "text/plain", IngestRequest.Xlsx, "multipart/form-data")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .Produces<RejectedIngestProblem>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")
        .WithMetadata(new OpenApi.ProblemExampleDetail(StatusCodes.Status422UnprocessableEntity, RejectedDetail(3, 3)))
        .WithResponseHeader(StatusCodes.Status422UnprocessableEntity, "Location",
            "The stored batch with its rejected records, when every order was rejected (not on a 422 for a reused Idempotency-Key).", always: false)
        .WithMetadata(new Idempotency.RecordedByEndpoint())
        .WithExamples(request: Examples.Orders, response: Examples.Receipt);

    public static async Task<Results<Created<IngestReceipt>, ProblemHttpResult>> Handle(
        IngestRequest request, ClaimsPrincipal user, OrderStore store, Idempotency idempotency, IngestCheckpoints checkpoints, SilenceWatch silence,
        HttpResponse response, CancellationToken ct)
    {
        if (request.Problem is { } problem)
            return problem;
        // The answer's idempotency record is committed with the batch: a retry after a crash replays it.
        var batch = await store.StoreAsync(user.WorkspaceId(), request.Side, request.Format, request.Chunks,
            b => idempotency.AddCompleted(AllRejected(b) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status201Created,
                AllRejected(b) ? RejectedProblem(ToReceipt(b)).ProblemDetails : ToReceipt(b), LocationOf(b)), ct);
        await checkpoints.AfterStoredAsync(batch.Id, ct);
        if (batch.Inserted + batch.Updated > 0)
            silence.OrdersStored(batch.WorkspaceId);
        if (AllRejected(batch))
        {
            // Stored all the same (the rejected records are kept with it): the receipt stays readable at its Location.
            response.Headers.Location = LocationOf(batch);
            return RejectedProblem(ToReceipt(batch));
        }
        return TypedResults.Created(LocationOf(batch), ToReceipt(batch));
    }

    static string LocationOf(Batch batch) => $"/api/v1/batches/{batch.Id}";

    /// <summary>
    /// Nothing of the batch could be stored: a 2xx would let a Zapier or Make step pass as if the orders had arrived.
    /// (Skipped records, e.g. Shopify test orders, are not failures: a batch of them alone is still a 201.)
    /// </summary>
    static bool AllRejected(Batch batch) => batch.Rejected > 0 && batch.Inserted + batch.Updated + batch.Unchanged == 0;

    /// <summary>The 422 of a batch whose every order was rejected: a problem that carries the whole receipt as its extensions.</summary>
    static ProblemHttpResult RejectedProblem(IngestReceipt receipt)
    {
        var extensions = JsonSerializer.SerializeToElement(receipt, JsonSerializerOptions.Web).EnumerateObject()
            .ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        return Problems.Problem(StatusCodes.Status422UnprocessableEntity, RejectedDetail(receipt.Rejected, receipt.Received), extensions);
    }

    static string RejectedDetail(int rejected, int received) =>
        $"Every order of the batch was rejected ({rejected} of {received}): nothing was stored. The batch keeps them as sent (Location); `errors` says what to fix in each.";

    public static IngestReceipt ToReceipt(Batch batch) => new(
        batch.Id, batch.Source, batch.Format, batch.Received, batch.Inserted, batch.Updated, batch.Unchanged, batch.Rejected, batch.Skipped, batch.Repeated,
        JsonSerializer.Deserialize<List<ReceiptError>>(batch.Errors, StoredJson.Options)!,
        JsonSerializer.Deserialize<List<ReceiptError>>(batch.Warnings, StoredJson.Options)!);
}
