namespace ReconcileApi.Features.Orders;

public sealed record BatchResponse(
    Guid BatchId,
    OrderSource Source,
    string Format,
    DateTime CreatedAt,
    int Received,
    int Inserted,
    int Updated,
    int Unchanged,
    int Rejected,
    int Skipped,
    int Repeated,
    IReadOnlyList<ReceiptError> Errors,
    IReadOnlyList<ReceiptError> Warnings,
    IReadOnlyList<JsonElement> RejectedRecords);

/// <summary>GET /api/v1/batches/{batchId} — the receipt again, with the rejected records as sent.</summary>
public static class GetBatch
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapGet("/batches/{batchId:guid}", Handle)
        .WithName(nameof(GetBatch))
        .WithSummary("Read a batch receipt, including the rejected records exactly as they were sent")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithExamples(response: Examples.Batch);

    public static async Task<Results<Ok<BatchResponse>, ProblemHttpResult>> Handle(Guid batchId, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var batch = await db.Batches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == batchId && b.WorkspaceId == workspaceId, ct);
        if (batch is null)
            return Problems.NotFound("Batch", batchId);
        return TypedResults.Ok(new BatchResponse(
            batch.Id, batch.Source, batch.Format, batch.CreatedAt, batch.Received, batch.Inserted, batch.Updated, batch.Unchanged, batch.Rejected, batch.Skipped,
            batch.Repeated,
            JsonSerializer.Deserialize<List<ReceiptError>>(batch.Errors, StoredJson.Options)!,
            JsonSerializer.Deserialize<List<ReceiptError>>(batch.Warnings, StoredJson.Options)!,
            JsonSerializer.Deserialize<List<JsonElement>>(batch.RejectedRecords, StoredJson.Options)!));
    }
}
