using System.Collections;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// A run's orders kept in their binary form (<see cref="OrderCodec"/>) in a few large buffers, each decoded when the
/// engine reads it. A million orders cost about their encoded size (≈ 200 bytes each) instead of a kilobyte or more of
/// objects each; the engine reads most orders once (to normalize them) and decodes again only those it must
/// compare or report, whose objects die young. Safe for concurrent reads once filled.
/// </summary>
/// <remarks>
/// The engine's normalize pass reads each order's <see cref="OrderFacts"/> straight from its bytes (<see cref="Facts"/>):
/// decoding every order into objects for it made half of what a 1M × 1M run allocates (`scripts/bench.sh engine
/// --encoded`: 1,174 against 2,237 MB a run; median 2.9–3.3 s against 3.4–4.1 s, alternated on the slow machine).
/// </remarks>
public sealed class EncodedOrders : IOrderFactsList
{
    const int SegmentBytes = 4 << 20;
    readonly List<byte[]> _segments = [];
    /// <summary>Per order: its segment (high 32 bits) and offset in it (low 32 bits).</summary>
    long[] _positions = new long[1024];
    int _used;

    public int Count { get; private set; }

    public CanonicalOrder this[int index] => OrderCodec.Decode(Encoded(index));

    public OrderFacts Facts(int index, FactsScratch scratch) => OrderCodec.Facts(Encoded(index), scratch);

    ReadOnlySpan<byte> Encoded(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        var position = _positions[index];
        return _segments[(int)(position >> 32)].AsSpan((int)position);
    }

    /// <summary>Appends an encoded order.</summary>
    public void Add(ReadOnlySpan<byte> encoded) => encoded.CopyTo(Reserve(encoded.Length));

    Span<byte> Reserve(int length)
    {
        if (_segments.Count == 0 || _used + length > _segments[^1].Length)
        {
            _segments.Add(new byte[Math.Max(SegmentBytes, length)]);
            _used = 0;
        }
        if (Count == _positions.Length)
            Array.Resize(ref _positions, _positions.Length * 2);
        _positions[Count++] = ((long)(_segments.Count - 1) << 32) | (uint)_used;
        _used += length;
        return _segments[^1].AsSpan(_used - length, length);
    }

    public IEnumerator<CanonicalOrder> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
            yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
