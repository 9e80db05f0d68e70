using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReconcileApi.Tests;

/// <summary>What a receiver got: the headers (lower-case names) and the body as sent.</summary>
public sealed record ReceivedRequest(IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 (Kestrel on a free port) that records every request and answers with the
/// status the test's function gives for the request's number (1-based); a string answer is sent as the body. With
/// <c>answerAfter</c> it records each request as it arrives and answers that much later (a slow target); <c>answer</c>
/// replaces the answer's text.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication app;
    readonly ConcurrentQueue<ReceivedRequest> received = new();

    WebhookReceiver(WebApplication app) => this.app = app;

    public IReadOnlyCollection<ReceivedRequest> Received => received;

    public string Url { get; private set; } = "";

    public int Port => new Uri(Url).Port;

    public static async Task<WebhookReceiver> StartAsync(
        Func<int, (int Status, string? Location)>? respond = null, TimeSpan answerAfter = default, string? answer = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        var count = 0;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.received.Enqueue(new ReceivedRequest(
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body));
            var (status, location) = (respond ?? (_ => (200, null)))(Interlocked.Increment(ref count));
            if (answerAfter > TimeSpan.Zero)
                await Task.Delay(answerAfter, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            context.Response.StatusCode = status;
            if (location is not null)
                context.Response.Headers.Location = location;
            await context.Response.WriteAsync(answer ?? (status < 300 ? "ok" : $"answer {status}"));
        });
        await app.StartAsync();
        receiver.Url = app.Urls.Single().TrimEnd('/') + "/hook";
        return receiver;
    }

    /// <summary>Waits until <paramref name="count"/> requests arrived (at most 30 s) and returns them in order.</summary>
    public async Task<List<ReceivedRequest>> WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (received.Count < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The receiver got {received.Count} of {count} requests.");
            await Task.Delay(25);
        }
        return received.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
