using System.IO.Hashing;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// A JSON record as sent: a hash of its bytes, and the order id it appears to carry. Make and Zapier resend the same
/// orders again and again; an order whose bytes hash as the ones it was stored from (<see cref="StoredOrder.SentHash"/>)
/// is unchanged without being read, validated or serialized again.
/// </summary>
/// <remarks>
/// Identical bytes read by the same code, in the same format and context, give the same order and the same receipt
/// lines, so the hash is seeded with all of them: the builds of this assembly and the engine's (any change of a reader,
/// the validator, the zones or the order model changes one), the format, the zone, the date order and the column map. A
/// hash is stored only for an order read without a warning, so a recognised record has none to report. <see cref="OrderId"/> is a hint, found by a shallow
/// scan of the top-level fields: a stored order is taken as this record only when its hash matches too, and a hash
/// that matches was made from these very bytes, which name that order — so a wrong hint can only miss.
/// </remarks>
public readonly record struct SentRecord(UInt128 Hash, string? OrderId)
{
    /// <summary>The builds of the readers and validator (this assembly) and of what they call in the engine's (zones, the order model).</summary>
    static readonly string Build = $"{typeof(SentRecord).Module.ModuleVersionId}/{typeof(CanonicalOrder).Module.ModuleVersionId}";

    /// <summary>What the bytes of one request's records are read with.</summary>
    public static long Seed(string format, FormatContext context)
    {
        var columns = string.Join("\n", context.ColumnMap.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
        var text = $"{Build}\n{format}\n{context.Zone.Id}\n{context.DateOrder}\n{columns}";
        return (long)XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The record <paramref name="element"/>; the order id is read from the top-level field <paramref name="orderIdField"/> when it is text or a number.</summary>
    public static SentRecord Of(ReadOnlySpan<byte> element, long seed, string orderIdField)
    {
        var hash = XxHash128.HashToUInt128(element, seed);
        var reader = new Utf8JsonReader(element, JsonOrderList.Options);
        string? orderId = null;
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = JsonText.NameIsInAnyCase(ref reader, orderIdField);
                reader.Read();
                if (isId && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                {
                    orderId = reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : Text(ref reader);
                    break;
                }
                reader.Skip();
            }
        }
        return new SentRecord(hash, orderId);
    }

    /// <summary>Text that is not valid (a lone surrogate) gives no hint; the reader of the record reports it.</summary>
    static string? Text(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()?.Trim();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public byte[] HashBytes()
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128LittleEndian(bytes, Hash);
        return bytes;
    }

    public bool Matches(byte[]? stored) => stored is { Length: 16 } && System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(stored) == Hash;
}
