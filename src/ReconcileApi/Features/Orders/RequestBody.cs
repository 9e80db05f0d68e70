using System.Buffers;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// Reads a request body into memory once, refusing it as soon as it passes the limit. The memory is rented from the shared
/// pool and given back when the response has been sent: a request of 1,000 orders is ≈ 500 KB, which the GC otherwise puts
/// on its large-object heap, and four clients' bodies started a full collection 2–3 times a second (`dotnet-counters` during
/// `scripts/bench.sh ingest`: 11 % of the time paused; with the pool no gen-2 collection, 4–6 % paused). Alternated with the
/// build before, three pairs: all unchanged 249,361 · 271,972 · 211,853 orders/s against 188,158 · 203,571 · 218,970.
/// </summary>
public static class RequestBody
{
    /// <summary>The body, or null past <paramref name="limit"/>; valid until <paramref name="context"/>'s response is done.</summary>
    public static async Task<ArraySegment<byte>?> ReadAsync(HttpContext context, Stream body, long limit, long? contentLength, CancellationToken ct)
    {
        var lease = new Lease(contentLength is > 0 and var n && n <= limit ? (int)n + 1 : 64 * 1024);
        context.Response.RegisterForDispose(lease);
        var length = 0;
        while (true)
        {
            if (length == lease.Array.Length)
                lease.Grow(length);
            // At most one byte past the limit: enough to know the body is too large.
            var room = (int)Math.Min(lease.Array.Length - length, limit + 1 - length);
            var read = await body.ReadAsync(lease.Array.AsMemory(length, room), ct);
            if (read == 0)
                return new ArraySegment<byte>(lease.Array, 0, length);
            length += read;
            if (length > limit)
                return null;
        }
    }

    sealed class Lease(int size) : IDisposable
    {
        public byte[] Array { get; private set; } = ArrayPool<byte>.Shared.Rent(size);

        public void Grow(int length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(checked(Array.Length * 2));
            Array.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Array);
            Array = larger;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(Array);
            Array = [];
        }
    }
}
