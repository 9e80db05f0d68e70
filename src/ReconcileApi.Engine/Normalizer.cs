using System.Collections.Concurrent;

namespace ReconcileApi.Engine;

/// <summary>What the engine reads from an order once, before matching.</summary>
internal struct NormalizedOrder
{
    /// <summary>The order key, or null when the order number gives none.</summary>
    public string? Key;
    /// <summary>The order date as UTC ticks, or <see cref="Normalizer.NoDate"/>.</summary>
    public long Ticks;
    public PaymentState? State;
}

/// <summary>Normalizes the orders of one source: key, instant, canonical state.</summary>
internal sealed class Normalizer(OrderSource source, ReconcileSettings settings, TimeZoneInfo zone)
{
    public const long NoDate = long.MinValue;
    const int ParallelFrom = 8192;

    readonly OrderKeyPattern _keys = new(source == OrderSource.Store ? settings.StoreKeyPattern : settings.KeapKeyPattern);
    readonly StatusMap _statuses = new(source, settings.StatusMap.GetValueOrDefault(source));
    readonly bool _utcZone = zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC";

    public OrderSource Source => source;

    public NormalizedOrder[] NormalizeAll(IReadOnlyList<CanonicalOrder> orders)
    {
        var result = new NormalizedOrder[orders.Count];
        ForRanges(orders.Count, (from, to) =>
        {
            for (var i = from; i < to; i++)
                result[i] = Normalize(orders[i]);
        });
        return result;
    }

    public NormalizedOrder Normalize(CanonicalOrder order) => new()
    {
        Key = _keys.Extract(order.OrderNumber),
        Ticks = Instant(order.OrderDate),
        State = _statuses.Map(order),
    };

    /// <summary>An order date as an instant: UTC as is, local converted, unspecified read in the settings zone.</summary>
    public long Instant(DateTime? value)
    {
        if (value is not { } d)
            return NoDate;
        return d.Kind switch
        {
            DateTimeKind.Utc => d.Ticks,
            DateTimeKind.Local => d.ToUniversalTime().Ticks,
            _ when _utcZone => d.Ticks,
            // GetUtcOffset does not throw for wall-clock times skipped by a DST change, ConvertTimeToUtc would.
            _ => d.Ticks - zone.GetUtcOffset(d).Ticks,
        };
    }

    /// <summary>Runs <paramref name="body"/> over [0, count) in chunks, on all cores when the work is large enough.</summary>
    public static void ForRanges(int count, Action<int, int> body)
    {
        if (count < ParallelFrom)
        {
            body(0, count);
            return;
        }
        Parallel.ForEach(Partitioner.Create(0, count, Math.Max(ParallelFrom / 2, count / (Environment.ProcessorCount * 8))), r => body(r.Item1, r.Item2));
    }
}
