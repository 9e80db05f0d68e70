using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders;

/// <summary>How a canonical order is stored: compact JSON, whose SHA-256 decides "unchanged".</summary>
public static class OrderJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(CanonicalOrder order) => JsonSerializer.Serialize(order, Options);

    public static CanonicalOrder Deserialize(string payload) => JsonSerializer.Deserialize<CanonicalOrder>(payload, Options)!;

    public static string Hash(string payload) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(payload)));
}
