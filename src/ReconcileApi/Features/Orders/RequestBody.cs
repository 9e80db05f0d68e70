namespace ReconcileApi.Features.Orders;

/// <summary>Reads a request body into memory once, refusing it as soon as it passes the limit.</summary>
public static class RequestBody
{
    public static async Task<byte[]?> ReadAsync(Stream body, long limit, long? contentLength, CancellationToken ct)
    {
        using var buffer = new MemoryStream(contentLength is > 0 and var n && n <= limit ? (int)n : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}
