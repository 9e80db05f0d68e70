using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace ReconcileApi.Features.Webhooks;

/// <summary>What one attempt got: the status code (none without an answer), the start of the answer, and why it failed.</summary>
public sealed record SendResult(int? StatusCode, string? Response, string? Error, int DurationMs)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Sends one attempt of a delivery through the guarded client (<see cref="OutboundUrls.CreateHandler"/>: addresses
/// checked at connect time, no redirects): Standard Webhooks headers, a signature when there is a secret, 10 s for
/// the whole exchange, at most 64 KB of the answer read and 1 KB of it kept. The delivery log shows that 1 KB to the
/// caller, so it must only ever come from a connection the guard allowed: no proxy, no redirect, no other client.
/// </summary>
public sealed class WebhookSender(HttpClient http, TimeProvider clock)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public const int MaxResponseBytes = 64 * 1024, KeptResponseChars = 1024;
    public const string UserAgent = "ReconcileApi-Webhooks/1";

    public async Task<SendResult> SendAsync(WebhookDelivery delivery, byte[]? key, CancellationToken ct)
    {
        var messageId = WebhookSecrets.MessageId(delivery.Id);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(delivery.Payload)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (key is not null)
            request.Headers.Add("webhook-signature", WebhookSecrets.Sign(key, messageId, timestamp, delivery.Payload));
        request.Headers.UserAgent.ParseAdd(UserAgent);

        var started = Stopwatch.GetTimestamp();
        int Elapsed() => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            // The status decides; the answer is only logged. One that breaks off (the target closed the connection before
            // the body it announced) is logged as far as it came, never thrown past the attempt's log and its schedule.
            var (text, broken) = await ReadStartAsync(response.Content, timeout.Token);
            var error = status switch
            {
                >= 200 and < 300 => null,
                >= 300 and < 400 => $"redirect not followed ({status} to {response.Headers.Location?.ToString() ?? "no Location"}); subscribe the final URL",
                _ => $"answered {status}" + (broken is null ? "" : $"; {broken}"),
            };
            return new SendResult(status, text, error, Elapsed());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SendResult(null, null, $"timed out after {Timeout.TotalSeconds:0} s", Elapsed());
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new SendResult(null, null, Describe(e), Elapsed());
        }
    }

    /// <summary>The guard's refusal as it was worded; otherwise what the connection said.</summary>
    static string Describe(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundUrls.RefusedException refused)
                return refused.Message;
        }
        return e.InnerException is { } cause ? $"{e.Message} ({cause.Message})" : e.Message;
    }

    /// <summary>
    /// Reads at most <see cref="MaxResponseBytes"/> of the answer and keeps its first <see cref="KeptResponseChars"/> UTF-16 code
    /// units, whole characters only; and, when the answer broke off before its end, what the connection said.
    /// </summary>
    static async Task<(string? Text, string? Broken)> ReadStartAsync(HttpContent content, CancellationToken ct)
    {
        var buffer = new byte[MaxResponseBytes];
        var length = 0;
        string? broken = null;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(ct);
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), ct)) > 0)
                length += read;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            broken = $"the answer broke off after {length:N0} bytes ({e.Message})";
        }
        return (length == 0 ? null : TextRules.Cut(Encoding.UTF8.GetString(buffer, 0, length), KeptResponseChars), broken);
    }
}
