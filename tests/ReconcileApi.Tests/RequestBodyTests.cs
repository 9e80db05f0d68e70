using Microsoft.AspNetCore.Http;
using ReconcileApi.Features.Orders;

namespace ReconcileApi.Tests;

/// <summary>The ingest body, read into pooled memory: every byte as sent, whatever the Content-Length says, and nothing past the limit.</summary>
public sealed class RequestBodyTests
{
    /// <summary>A stream that hands out at most <paramref name="step"/> bytes a read, as a socket does.</summary>
    sealed class Trickle(byte[] data, int step) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, step)], ct);
    }

    [Theory]
    [InlineData(0, null, 1000)]
    [InlineData(10, 10L, 10)]            // exactly the limit
    [InlineData(100_000, null, 200_000)] // no length given: grows past the first 64 KB
    [InlineData(300_000, 300_000L, 300_000)]
    [InlineData(300_000, 1_000L, 400_000)] // a length that understates the body
    [InlineData(1_000, 500_000L, 500_000)] // one that overstates it
    public async Task ReadsTheWholeBody_WhateverTheLengthSays(int size, long? contentLength, long limit)
    {
        var data = Enumerable.Range(0, size).Select(i => (byte)(i * 7 + i / 256)).ToArray();
        var context = new DefaultHttpContext();
        var body = await RequestBody.ReadAsync(context, new Trickle(data, 8191), limit, contentLength, CancellationToken.None);
        Assert.NotNull(body);
        Assert.Equal(data, body.Value.ToArray());
    }

    [Theory]
    [InlineData(11, null, 10)]
    [InlineData(11, 10L, 10)]
    [InlineData(200_001, null, 200_000)]
    public async Task PastTheLimit_IsNull(int size, long? contentLength, long limit)
    {
        var context = new DefaultHttpContext();
        Assert.Null(await RequestBody.ReadAsync(context, new Trickle(new byte[size], 8191), limit, contentLength, CancellationToken.None));
    }
}
