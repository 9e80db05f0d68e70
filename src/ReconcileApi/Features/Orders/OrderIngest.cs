using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Orders;

/// <summary>One record of a request body, already read into a canonical order (or not).</summary>
public sealed record IncomingRecord(int Index, CanonicalOrder Order, string RawJson, List<FieldError> Errors);

public sealed record ReceiptError(int Index, string? OrderId, string Field, string Message);

/// <summary>Validates each record on its own and upserts the valid ones by (workspace, source, orderId).</summary>
public sealed class OrderIngest(ReconcileDbContext db, IValidator<CanonicalOrder> validator, TimeProvider clock)
{
    const int LookupChunk = 500;

    public async Task<Batch> StoreAsync(Guid workspaceId, OrderSource source, string format, IReadOnlyList<IncomingRecord> records, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = workspaceId,
            Source = source,
            Format = format,
            Received = records.Count,
            Errors = "[]",
            RejectedRecords = "[]",
            CreatedAt = now,
        };
        var errors = new List<ReceiptError>();
        var rejected = new List<JsonElement>();
        // The last occurrence of an order id in one request wins, as if sent one after another.
        var valid = new Dictionary<string, CanonicalOrder>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var failures = record.Errors.ToList();
            failures.AddRange(validator.Validate(record.Order).Errors
                .Select(e => new FieldError(ValidationFilter.CamelPath(e.PropertyName), e.ErrorMessage))
                .Where(e => !record.Errors.Any(f => f.Field == e.Field)));
            if (failures.Count > 0)
            {
                var orderId = record.Order.OrderId is { Length: > 0 } id ? id : null;
                errors.AddRange(failures.Select(f => new ReceiptError(record.Index, orderId, f.Field, f.Message)));
                rejected.Add(JsonDocument.Parse(record.RawJson).RootElement);
                continue;
            }
            valid[record.Order.OrderId] = record.Order;
        }
        batch.Rejected = rejected.Count;
        batch.Errors = JsonSerializer.Serialize(errors, OrderJson.Options);
        batch.RejectedRecords = JsonSerializer.Serialize(rejected, OrderJson.Options);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Batches.Add(batch);
        foreach (var chunk in valid.Values.Chunk(LookupChunk))
        {
            var ids = chunk.Select(o => o.OrderId).ToList();
            var existing = await db.Orders
                .Where(o => o.WorkspaceId == workspaceId && o.Source == source && ids.Contains(o.OrderId))
                .ToDictionaryAsync(o => o.OrderId, StringComparer.Ordinal, ct);
            foreach (var order in chunk)
            {
                var payload = OrderJson.Serialize(order);
                var hash = OrderJson.Hash(payload);
                if (!existing.TryGetValue(order.OrderId, out var stored))
                {
                    db.Orders.Add(Apply(new StoredOrder
                    {
                        WorkspaceId = workspaceId,
                        Source = source,
                        OrderId = order.OrderId,
                        ContentHash = hash,
                        Payload = payload,
                        Version = 1,
                        CreatedAt = now,
                    }, order, batch.Id, now));
                    batch.Inserted++;
                }
                else if (stored.ContentHash == hash)
                {
                    batch.Unchanged++;
                }
                else
                {
                    db.OrderVersions.Add(new OrderVersion
                    {
                        StoredOrderId = stored.Id,
                        Version = stored.Version,
                        Payload = stored.Payload,
                        BatchId = stored.BatchId,
                        RecordedAt = stored.UpdatedAt,
                    });
                    stored.Version++;
                    stored.ContentHash = hash;
                    stored.Payload = payload;
                    Apply(stored, order, batch.Id, now);
                    batch.Updated++;
                }
            }
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return batch;
    }

    static StoredOrder Apply(StoredOrder stored, CanonicalOrder order, Guid batchId, DateTime now)
    {
        stored.OrderNumber = order.OrderNumber;
        stored.CustomerEmail = order.CustomerEmail;
        stored.OrderDate = order.OrderDate;
        stored.Currency = order.Currency;
        stored.Total = order.Total;
        stored.Status = order.Status;
        stored.BatchId = batchId;
        stored.UpdatedAt = now;
        return stored;
    }
}
