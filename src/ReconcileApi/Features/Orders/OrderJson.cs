using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace ReconcileApi.Features.Orders;

/// <summary>How a canonical order is stored: compact JSON, whose SHA-256 decides "unchanged".</summary>
public static class OrderJson
{
    // Orders are written on every ingest and read by every run: source-generated metadata is faster.
    public static string Serialize(CanonicalOrder order) => JsonSerializer.Serialize(order, OrderJsonContext.Default.CanonicalOrder);

    public static CanonicalOrder Deserialize(string payload) => JsonSerializer.Deserialize(payload, OrderJsonContext.Default.CanonicalOrder)!;

    public static string Hash(string payload) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(payload)));
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CanonicalOrder))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;
