using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore.Storage;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// One record of a request body, read by its format when <see cref="Read"/> is first asked for (a record recognised
/// by <see cref="Sent"/> never is); <see cref="Raw"/> renders it as sent, only when it is rejected.
/// </summary>
public sealed class IncomingRecord(int index, int? line, Func<ReadOrder> read, Func<JsonElement> raw, SentRecord? sent = null)
{
    ReadOrder? _read;

    public IncomingRecord(int index, int? line, ReadOrder read, Func<JsonElement> raw) : this(index, line, () => read, raw) => _read = read;

    public int Index => index;
    public int? Line => line;
    public ReadOrder Read => _read ??= read();
    public Func<JsonElement> Raw => raw;
    /// <summary>The record's bytes as sent (JSON records of a format that names its order id field); null otherwise.</summary>
    public SentRecord? Sent => sent;
}

/// <summary>
/// Validates each record on its own and upserts the valid ones by (workspace, source, orderId), a
/// chunk at a time, all in one transaction: a request is stored whole or not at all. Every record
/// received is counted once: inserted, updated, unchanged, rejected, skipped, or repeated (its order id
/// comes again later in the batch, as when a webhook is delivered twice; the last one is kept, unless its own
/// update time says it is the older). A version older by its update time than the one stored is skipped with a warning.
/// </summary>
public sealed class OrderStore(ReconcileDbContext db, IValidator<CanonicalOrder> validator, WriteGate gate, TimeProvider clock)
{
    public const int ChunkSize = 1000;
    const string NoDate = "The order has no date: it is stored, but a run places orders by date, so no run window will include it.";

    /// <remarks>
    /// Runs inside the provider's execution strategy (SQL Server retries transient failures and refuses a
    /// transaction begun outside it); an attempt starts from the first chunk again with a fresh batch.
    /// <c>beforeCommit</c> adds what must be committed with the batch (the idempotency record of its answer).
    /// </remarks>
    public Task<Batch> StoreAsync(Guid workspaceId, OrderSource source, string format, IEnumerable<IReadOnlyList<IncomingRecord>> chunks,
        Action<Batch> beforeCommit, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(ct => AttemptAsync(workspaceId, source, format, chunks, beforeCommit, ct), ct);

    async Task<Batch> AttemptAsync(Guid workspaceId, OrderSource source, string format, IEnumerable<IReadOnlyList<IncomingRecord>> chunks,
        Action<Batch> beforeCommit, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = workspaceId,
            Source = source,
            Format = format,
            Errors = "[]",
            Warnings = "[]",
            RejectedRecords = "[]",
            CreatedAt = now,
        };
        var receipt = new Receipt();
        // Reading, validating and hashing a chunk is CPU work done before the chunk's writes; the
        // first chunk (the whole of a typical request) is ready before the write lock is taken.
        using var chunk = chunks.GetEnumerator();
        // A first chunk whose every record its lookup found stored keeps the turn it looked in (a resend): written at once
        // instead of queueing a second time behind the other clients' lookups.
        var (prepared, kept) = chunk.MoveNext() ? await PrepareAsync(batch, chunk.Current, receipt, inTurn: false, ct) : (null, null);
        using var turn = kept ?? await gate.EnterAsync(db, workspaceId, ct);
        using var writer = gate.OnWriterConnection(db);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        for (; prepared is not null; prepared = chunk.MoveNext() ? (await PrepareAsync(batch, chunk.Current, receipt, inTurn: true, ct)).Orders : null)
            await UpsertAsync(batch, receipt, prepared, now, ct);
        batch.Rejected = receipt.Rejected.Count;
        batch.Errors = JsonSerializer.Serialize(receipt.Errors, StoredJson.Options);
        batch.Warnings = JsonSerializer.Serialize(receipt.Warnings.OrderBy(w => w.Index), StoredJson.Options);
        batch.RejectedRecords = JsonSerializer.Serialize(receipt.Rejected, StoredJson.Options);
        db.Batches.Add(batch);
        beforeCommit(batch);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return batch;
    }

    /// <summary>
    /// An order to store; <see cref="Known"/>: one the record's <see cref="SentRecord"/> showed unchanged, never read
    /// (no <see cref="Order"/> or <see cref="Compact"/>). <see cref="SentHash"/>: the record's hash, kept with what is written.
    /// </summary>
    sealed record PreparedOrder(string OrderId, CanonicalOrder? Order, byte[]? Compact, string? Hash, bool Repeat, byte[]? SentHash)
    {
        public bool Known => Order is null;
    }

    /// <summary>What the receipt says about the records, and which order ids the batch stored at which index.</summary>
    sealed class Receipt
    {
        public List<ReceiptError> Errors { get; } = [];
        public List<ReceiptError> Warnings { get; } = [];
        public List<JsonElement> Rejected { get; } = [];
        public Dictionary<string, (int Index, int? Line, DateTime? UpdatedAt)> Stored { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The chunk's orders to store, and the gate's turn its lookup took when the caller should keep it (<see cref="KnownAsync"/>).</summary>
    async Task<(List<PreparedOrder> Orders, IDisposable? Turn)> PrepareAsync(Batch batch, IReadOnlyList<IncomingRecord> chunk, Receipt receipt, bool inTurn, CancellationToken ct)
    {
        var (known, turn) = await KnownAsync(batch, chunk, inTurn, ct);
        try
        {
            return (Prepare(batch, chunk, receipt, known), turn);
        }
        catch
        {
            turn?.Dispose();
            throw;
        }
    }

    List<PreparedOrder> Prepare(Batch batch, IReadOnlyList<IncomingRecord> chunk, Receipt receipt, Dictionary<string, byte[]?> known)
    {
        batch.Received += chunk.Count;
        var valid = new Dictionary<string, PreparedOrder>(StringComparer.Ordinal);
        foreach (var record in chunk)
        {
            if (record.Sent is { OrderId: { } sentId } sent && known.TryGetValue(sentId, out var stored) && sent.Matches(stored))
            {
                // The bytes the stored version was read from, without a warning: unchanged, and nothing to report but a repeat.
                Keep(record, sentId, null, null);
                continue;
            }
            if (record.Read.SkipReason is not null)
            {
                // A skip that says why (a repeated header row) tells it: counted alone, the row would vanish without a word.
                foreach (var w in record.Read.Problems.Warnings)
                    receipt.Warnings.Add(new ReceiptError(record.Index, null, w.Field, w.Message, record.Line));
                batch.Skipped++;
                continue;
            }
            var orderId = record.Read.Order.OrderId is { Length: > 0 } id ? id : null;
            // A rejected order's warnings too: "customer_email is not read, did you mean customerEmail" explains its errors.
            foreach (var w in record.Read.Problems.Warnings)
                receipt.Warnings.Add(new ReceiptError(record.Index, orderId, w.Field, w.Message, record.Line));
            var failures = Validate(record.Read);
            if (failures.Count > 0)
            {
                receipt.Errors.AddRange(failures.Select(f => new ReceiptError(record.Index, orderId, f.Field, f.Message, record.Line)));
                receipt.Rejected.Add(record.Raw());
                continue;
            }
            var order = Rounded(record.Read.Order);
            if (order.OrderDate is null)
                receipt.Warnings.Add(new ReceiptError(record.Index, orderId, "orderDate", NoDate, record.Line));
            var clean = record.Read.Problems.Warnings.Count == 0 && order.OrderDate is not null;
            Keep(record, order.OrderId, order, clean ? record.Sent?.HashBytes() : null);
        }
        return valid.Values.Select(v =>
        {
            if (v.Known)
                return v;
            var compact = OrderCodec.Encode(v.Order!);
            return v with { Compact = compact, Hash = OrderCodec.Hash(compact) };
        }).ToList();

        void Keep(IncomingRecord record, string orderId, CanonicalOrder? order, byte[]? sentHash)
        {
            // The same order id again (a webhook delivered twice): the last version wins, as if sent one after another —
            // unless both say when the order was last updated and the later one is older: webhooks arrive out of order (an
            // orders/create delivered after orders/paid), and the order is as its newest version says.
            var repeat = receipt.Stored.TryGetValue(orderId, out var earlier);
            if (repeat)
            {
                batch.Repeated++;
                var at = record.Line is { } l ? $" (line {l})" : "";
                if (Older(order?.UpdatedAt, earlier.UpdatedAt) is var (updated, kept))
                {
                    receipt.Warnings.Add(new ReceiptError(earlier.Index, orderId, FormatSupport.OrderIdField, string.Create(CultureInfo.InvariantCulture,
                        $"The same order id comes again at index {record.Index}{at}, updated earlier ({updated:yyyy-MM-ddTHH:mm:ssK}) than this version ({kept:yyyy-MM-ddTHH:mm:ssK}); this newer version was kept."), earlier.Line));
                    return;
                }
                receipt.Warnings.Add(new ReceiptError(earlier.Index, orderId, FormatSupport.OrderIdField,
                    $"The same order id comes again at index {record.Index}{at}; that later version was kept.", earlier.Line));
            }
            receipt.Stored[orderId] = (record.Index, record.Line, order?.UpdatedAt);
            // A repeat within this chunk replaces the earlier version before anything is written; one of an
            // order an earlier chunk stored (Repeat) is written again.
            valid[orderId] = new PreparedOrder(orderId, order, null, null, valid.TryGetValue(orderId, out var inChunk) ? inChunk.Repeat : repeat, sentHash);
        }
    }

    /// <summary>
    /// The stored hashes (<see cref="StoredOrder.SentHash"/>) of the orders the chunk's JSON records name, by order id: one
    /// index read, through the gate's connection (<see cref="WriteGate.OnWriterConnection"/>, whose cache holds the index)
    /// when the request's turn is under way, the gate is free, or a resend of the side is under way (worth the wait: at a
    /// million stored orders 14–16 ms of CPU per 1,000 against 33–40 through a pooled connection); else through the
    /// request's own. A request's first chunk is read before the turn it writes in: an order another request changes
    /// meanwhile is then taken as this request found it — as if this request had come first, which it may have.
    /// When every record of the chunk names an order found stored (a resend, whose records are all then recognised or, for the
    /// few changed, read), the turn the lookup took is handed back to be kept for the writes, which then see exactly what was
    /// looked up; otherwise it is released, so that reading and validating new orders never holds the gate.
    /// </summary>
    async Task<(Dictionary<string, byte[]?> Known, IDisposable? Turn)> KnownAsync(Batch batch, IReadOnlyList<IncomingRecord> chunk, bool inTurn, CancellationToken ct)
    {
        var ids = chunk.Select(r => r.Sent?.OrderId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
            return (new(StringComparer.Ordinal), null);
        if (inTurn)
            return (await HashesAsync(batch, ids, ct), null);
        var turn = gate.TryEnter(db, batch.WorkspaceId)
            ?? (gate.Resending(batch.WorkspaceId, batch.Source) ? await gate.EnterAsync(db, batch.WorkspaceId, ct) : null);
        Dictionary<string, byte[]?> known;
        try
        {
            using (turn is null ? null : gate.OnWriterConnection(db))
                known = await HashesAsync(batch, ids, ct);
        }
        catch
        {
            turn?.Dispose();
            throw;
        }
        gate.Looked(batch.WorkspaceId, batch.Source, ids.Count, known.Count);
        if (turn is not null && known.Count == ids.Count && ids.Count == chunk.Count)
            return (known, turn);
        turn?.Dispose();
        return (known, null);
    }

    Task<Dictionary<string, byte[]?>> HashesAsync(Batch batch, List<string> ids, CancellationToken ct) =>
        db.Orders.AsNoTracking()
            .Where(o => o.WorkspaceId == batch.WorkspaceId && o.Source == batch.Source && ids.Contains(o.OrderId) && o.SentHash != null)
            .Select(o => new { o.OrderId, o.SentHash })
            .ToDictionaryAsync(o => o.OrderId, o => o.SentHash, StringComparer.Ordinal, ct);

    /// <summary>Money and quantities to the <see cref="OrderValidator.Decimals"/> places kept (the order itself when it has no more).</summary>
    static CanonicalOrder Rounded(CanonicalOrder o)
    {
        static bool Fine(decimal? v) => v is null || v.Value.Scale <= OrderValidator.Decimals;
        static decimal? R(decimal? v) => v is null ? null : decimal.Round(v.Value, OrderValidator.Decimals, MidpointRounding.AwayFromZero);
        if (Fine(o.Total) && Fine(o.Subtotal) && Fine(o.Tax) && Fine(o.Shipping) && Fine(o.Discount) && Fine(o.AmountPaid) && Fine(o.AmountRefunded)
            && Fine(o.PresentmentTotal) && o.Lines.All(l => Fine(l.Quantity) && Fine(l.UnitPrice) && Fine(l.LineTotal) && Fine(l.Discount) && Fine(l.Tax) && Fine(l.OriginalQuantity)))
            return o;
        return o with
        {
            Total = R(o.Total)!.Value, Subtotal = R(o.Subtotal), Tax = R(o.Tax), Shipping = R(o.Shipping), Discount = R(o.Discount),
            AmountPaid = R(o.AmountPaid), AmountRefunded = R(o.AmountRefunded), PresentmentTotal = R(o.PresentmentTotal),
            Lines = [.. o.Lines.Select(l => l with
            {
                Quantity = R(l.Quantity)!.Value, UnitPrice = R(l.UnitPrice)!.Value, LineTotal = R(l.LineTotal),
                Discount = R(l.Discount), Tax = R(l.Tax), OriginalQuantity = R(l.OriginalQuantity),
            })],
        };
    }

    List<FieldError> Validate(ReadOrder read)
    {
        var failures = read.Problems.Errors.ToList();
        foreach (var e in validator.Validate(read.Order).Errors)
        {
            var field = ValidationFilter.CamelPath(e.PropertyName);
            if (!read.Problems.Errors.Any(f => f.Field == field))
                failures.Add(new FieldError(field, e.ErrorMessage));
        }
        return failures;
    }

    sealed record Existing(long Id, string OrderId, string ContentHash, byte[]? SentHash, byte[]? Compact);

    /// <summary>
    /// Both update times, when <paramref name="candidate"/> says the order was updated before <paramref name="than"/> did
    /// (each as its source wrote it, so only two of one kind compare): webhooks arrive out of order, and an order is as its
    /// newest version says. Null when either has no update time or the candidate is not older.
    /// </summary>
    static (DateTime Candidate, DateTime Than)? Older(DateTime? candidate, DateTime? than) =>
        candidate is { } c && than is { } t && c.Kind == t.Kind && c < t ? (c, t) : null;

    /// <summary>
    /// Whether <paramref name="order"/> is what is stored: by the hash of its binary form, or for an order an earlier build
    /// stored with the hash of its JSON (<see cref="OrderJson.LegacyHash"/>), by that.
    /// </summary>
    static bool Unchanged(Existing stored, string hash, CanonicalOrder order) =>
        stored.ContentHash == hash || (stored.ContentHash.Length == OrderJson.LegacyHashLength && stored.ContentHash == OrderJson.LegacyHash(order));

    async Task UpsertAsync(Batch batch, Receipt receipt, List<PreparedOrder> orders, DateTime now, CancellationToken ct)
    {
        if (orders.Count == 0)
            return;
        var read = orders.Where(o => !o.Known).ToList();
        var ids = read.Select(o => o.OrderId).ToList();
        var existing = ids.Count == 0 ? [] : await db.Orders.AsNoTracking()
            .Where(o => o.WorkspaceId == batch.WorkspaceId && o.Source == batch.Source && ids.Contains(o.OrderId))
            .Select(o => new Existing(o.Id, o.OrderId, o.ContentHash, o.SentHash, o.Compact))
            .ToDictionaryAsync(o => o.OrderId, StringComparer.Ordinal, ct);
        var inserts = new List<StoredOrder>(read.Count);
        var changed = new Dictionary<long, PreparedOrder>();
        var rehashed = new List<(long Id, byte[] SentHash)>();
        var superseded = 0;
        foreach (var prepared in read)
        {
            var (orderId, order, compact, hash, _, sentHash) = prepared;
            if (!existing.TryGetValue(orderId, out var stored))
            {
                inserts.Add(Apply(new StoredOrder
                {
                    WorkspaceId = batch.WorkspaceId,
                    Source = batch.Source,
                    OrderId = orderId,
                    ContentHash = hash!,
                    Version = 1,
                    CreatedAt = now,
                }, order!, compact!, sentHash, batch.Id, now));
            }
            else if (!Unchanged(stored, hash!, order!))
            {
                // An older version than the one stored (a webhook delivered after the one that followed it) changes nothing.
                if (!prepared.Repeat && stored.Compact is { } kept && Older(order!.UpdatedAt, OrderCodec.Decode(kept).UpdatedAt) is var (updated, newer))
                {
                    superseded++;
                    var (index, line, _) = receipt.Stored[orderId];
                    receipt.Warnings.Add(new ReceiptError(index, orderId, "updatedAt", string.Create(CultureInfo.InvariantCulture,
                        $"This version was updated earlier ({updated:yyyy-MM-ddTHH:mm:ssK}) than the one stored ({newer:yyyy-MM-ddTHH:mm:ssK}): webhooks arrive out of order, so the stored version was kept and this one counted as skipped."), line));
                    continue;
                }
                changed[stored.Id] = prepared;
            }
            else if (sentHash is not null && !sentHash.AsSpan().SequenceEqual(stored.SentHash))
            {
                // Unchanged, sent in other bytes (or stored by another build): the next identical resend is recognised.
                rehashed.Add((stored.Id, sentHash));
            }
        }
        // A repeat of an order an earlier chunk of this batch stored is written again but counted once, as repeated.
        var repeatsChanged = read.Count(o => o.Repeat && changed.ContainsKey(existing[o.OrderId].Id));
        batch.Inserted += inserts.Count;
        batch.Updated += changed.Count - repeatsChanged;
        batch.Skipped += superseded;
        batch.Unchanged += orders.Count(o => !o.Repeat) - inserts.Count - (changed.Count - repeatsChanged) - superseded;
        await db.InsertAsync(inserts, ct);
        await RehashAsync(rehashed, ct);
        if (changed.Count == 0)
            return;

        // Changed orders keep their previous version.
        var changedIds = changed.Keys.ToList();
        foreach (var stored in await db.Orders.Where(o => changedIds.Contains(o.Id)).ToListAsync(ct))
        {
            var (_, order, compact, hash, _, sentHash) = changed[stored.Id];
            db.OrderVersions.Add(new OrderVersion
            {
                StoredOrderId = stored.Id,
                Version = stored.Version,
                // Versions are few and read as JSON (the order's page); the current order is only its binary form.
                Payload = stored.Payload.Length > 0 ? stored.Payload : OrderJson.Serialize(OrderJson.Of(stored)),
                BatchId = stored.BatchId,
                RecordedAt = stored.UpdatedAt,
            });
            stored.Version++;
            stored.ContentHash = hash!;
            stored.Payload = "";
            Apply(stored, order!, compact!, sentHash, batch.Id, now);
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>
    /// Stores the hashes of unchanged orders sent in other bytes: one prepared statement, executed per order. After an
    /// upgrade (a new build seeds other hashes) every order's first resend comes here once.
    /// </summary>
    async Task RehashAsync(List<(long Id, byte[] SentHash)> rehashed, CancellationToken ct)
    {
        if (rehashed.Count == 0)
            return;
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = "UPDATE Orders SET SentHash = @hash WHERE Id = @id";
        var hash = command.CreateParameter();
        (hash.ParameterName, hash.DbType, hash.Size) = ("@hash", System.Data.DbType.Binary, 16);
        var id = command.CreateParameter();
        (id.ParameterName, id.DbType) = ("@id", System.Data.DbType.Int64);
        command.Parameters.Add(hash);
        command.Parameters.Add(id);
        await command.PrepareAsync(ct);
        foreach (var (orderId, sentHash) in rehashed)
        {
            (hash.Value, id.Value) = (sentHash, orderId);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The columns derived from the order, set when it is written (an unchanged order is not): its binary form, and what the order list and the run's index read.</summary>
    static StoredOrder Apply(StoredOrder stored, CanonicalOrder order, byte[] compact, byte[]? sentHash, Guid batchId, DateTime now)
    {
        stored.Compact = compact;
        stored.SentHash = sentHash;
        stored.OrderDate = order.OrderDate;
        stored.OrderNumber = order.OrderNumber;
        stored.CustomerEmail = order.CustomerEmail?.Trim().ToLowerInvariant();
        stored.BatchId = batchId;
        stored.UpdatedAt = now;
        return stored;
    }
}
