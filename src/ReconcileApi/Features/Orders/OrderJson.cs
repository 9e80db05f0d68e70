using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// A canonical order as JSON: how orders were stored before their binary form (<see cref="OrderCodec"/>) became the stored
/// order, how a version an ingest replaces is kept, and how an order stored by those builds is told unchanged.
/// </summary>
public static class OrderJson
{
    // Orders are written on every ingest and read by every run: source-generated metadata is faster.
    public static string Serialize(CanonicalOrder order) => JsonSerializer.Serialize(order, OrderJsonContext.Default.CanonicalOrder);

    public static CanonicalOrder Deserialize(string payload) => JsonSerializer.Deserialize(payload, OrderJsonContext.Default.CanonicalOrder)!;

    /// <summary>
    /// The content hash earlier builds stored (<see cref="StoredOrder.ContentHash"/>, 64 hex digits): the SHA-256
    /// of the order's JSON. An order stored then is unchanged when the order sent now hashes to it this way.
    /// </summary>
    public static string LegacyHash(CanonicalOrder order) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Serialize(order))));

    public const int LegacyHashLength = 64;

    /// <summary>The order a stored row holds: its binary form, or for a row stored before there was one, its JSON.</summary>
    public static CanonicalOrder Of(StoredOrder stored) => stored.Compact is { } compact ? OrderCodec.Decode(compact) : Deserialize(stored.Payload);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CanonicalOrder))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;
