using System.Collections;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// A run's orders kept in their binary form (<see cref="OrderCodec"/>) in a few large buffers, each decoded when the
/// engine reads it. A million orders cost about their encoded size (≈ 200 bytes each) instead of a kilobyte or more of
/// objects each; the engine reads most orders once (to normalize them) and decodes again only those it must
/// compare or report, whose objects die young. Safe for concurrent reads once filled.
/// </summary>
public sealed class EncodedOrders : IReadOnlyList<CanonicalOrder>
{
    const int SegmentBytes = 4 << 20;
    readonly List<byte[]> _segments = [];
    /// <summary>Per order: its segment (high 32 bits) and offset in it (low 32 bits).</summary>
    long[] _positions = new long[1024];
    int _used;

    public int Count { get; private set; }

    public CanonicalOrder this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            var position = _positions[index];
            return OrderCodec.Decode(_segments[(int)(position >> 32)].AsSpan((int)position));
        }
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
