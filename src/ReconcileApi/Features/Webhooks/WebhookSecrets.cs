using System.Security.Cryptography;
using System.Text;

namespace ReconcileApi.Features.Webhooks;

/// <summary>
/// Standard Webhooks signing: the secret is <c>whsec_</c> + base64 of random bytes, and the HMAC-SHA256 key is those
/// decoded bytes (as the Standard Webhooks libraries verify), over <c>{webhook-id}.{webhook-timestamp}.{body}</c>.
/// </summary>
public static class WebhookSecrets
{
    public const string Prefix = "whsec_";
    public const int GeneratedBytes = 32, MinBytes = 24, MaxBytes = 64;

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedBytes));

    /// <summary>The key bytes of a well-formed secret (<c>whsec_</c> + base64 of 24 to 64 bytes), else null.</summary>
    public static byte[]? KeyOf(string? secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var base64 = secret[Prefix.Length..];
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var length) && length is >= MinBytes and <= MaxBytes ? buffer[..length] : null;
    }

    /// <summary>The <c>webhook-signature</c> value: <c>v1,</c> + base64 of the HMAC.</summary>
    public static string Sign(byte[] key, string messageId, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}")));

    /// <summary>The <c>webhook-id</c> of a delivery: the same on every attempt, so receivers can drop repeats.</summary>
    public static string MessageId(Guid deliveryId) => "msg_" + deliveryId.ToString("N");
}
