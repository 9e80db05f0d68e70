using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders.Formats;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Orders;

/// <summary>One record of a request body read by a format; <see cref="Raw"/> renders it as sent, only when it is rejected.</summary>
public sealed record IncomingRecord(int Index, int? Line, ReadOrder Read, Func<JsonElement> Raw);

public sealed record ReceiptError(int Index, string? OrderId, string Field, string Message, int? Line = null);

/// <summary>
/// Validates each record on its own and upserts the valid ones by (workspace, source, orderId), a
/// chunk at a time, all in one transaction: a request is stored whole or not at all.
/// </summary>
public sealed class OrderIngest(ReconcileDbContext db, IValidator<CanonicalOrder> validator, TimeProvider clock)
{
    public const int ChunkSize = 1000;

    public async Task<Batch> StoreAsync(Guid workspaceId, OrderSource source, string format, IEnumerable<IReadOnlyList<IncomingRecord>> chunks, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = workspaceId,
            Source = source,
            Format = format,
            Errors = "[]",
            RejectedRecords = "[]",
            CreatedAt = now,
        };
        var errors = new List<ReceiptError>();
        var rejected = new List<JsonElement>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var chunk in chunks)
        {
            batch.Received += chunk.Count;
            // The last occurrence of an order id in one chunk wins, as if sent one after another.
            var valid = new Dictionary<string, CanonicalOrder>(StringComparer.Ordinal);
            foreach (var record in chunk)
            {
                if (record.Read.SkipReason is not null)
                {
                    batch.Skipped++;
                    continue;
                }
                var failures = Validate(record.Read);
                if (failures.Count > 0)
                {
                    var orderId = record.Read.Order.OrderId is { Length: > 0 } id ? id : null;
                    errors.AddRange(failures.Select(f => new ReceiptError(record.Index, orderId, f.Field, f.Message, record.Line)));
                    rejected.Add(record.Raw());
                    continue;
                }
                valid[record.Read.Order.OrderId] = record.Read.Order;
            }
            await UpsertAsync(batch, valid.Values, now, ct);
        }
        batch.Rejected = rejected.Count;
        batch.Errors = JsonSerializer.Serialize(errors, OrderJson.Options);
        batch.RejectedRecords = JsonSerializer.Serialize(rejected, OrderJson.Options);
        db.Batches.Add(batch);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return batch;
    }

    List<FieldError> Validate(ReadOrder read)
    {
        var failures = read.Errors.ToList();
        foreach (var e in validator.Validate(read.Order).Errors)
        {
            var field = ValidationFilter.CamelPath(e.PropertyName);
            if (!read.Errors.Any(f => f.Field == field))
                failures.Add(new FieldError(field, e.ErrorMessage));
        }
        return failures;
    }

    async Task UpsertAsync(Batch batch, ICollection<CanonicalOrder> orders, DateTime now, CancellationToken ct)
    {
        if (orders.Count == 0)
            return;
        var ids = orders.Select(o => o.OrderId).ToList();
        var existing = await db.Orders
            .Where(o => o.WorkspaceId == batch.WorkspaceId && o.Source == batch.Source && ids.Contains(o.OrderId))
            .ToDictionaryAsync(o => o.OrderId, StringComparer.Ordinal, ct);
        foreach (var order in orders)
        {
            var payload = OrderJson.Serialize(order);
            var hash = OrderJson.Hash(payload);
            if (!existing.TryGetValue(order.OrderId, out var stored))
            {
                db.Orders.Add(Apply(new StoredOrder
                {
                    WorkspaceId = batch.WorkspaceId,
                    Source = batch.Source,
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
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
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
