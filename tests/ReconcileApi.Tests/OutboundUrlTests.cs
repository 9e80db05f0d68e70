using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Features.Webhooks;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Tests;

/// <summary>Names resolve from a table the test writes (no DNS here): a test can make a name point anywhere, and change it.</summary>
public sealed class TableHostResolver : IHostResolver
{
    public ConcurrentDictionary<string, IPAddress[]> Names { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        Names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new SocketException((int)SocketError.HostNotFound);
}

/// <summary>The service as deployed: outbound requests only to the public internet (<c>Webhooks:AllowPrivateTargets</c> false).</summary>
public sealed class PrivateTargetsRefusedFactory : ApiFactory
{
    public TableHostResolver Resolver { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:AllowPrivateTargets", "false");
        builder.UseSetting("Webhooks:RetrySchedule", "");
        builder.ConfigureTestServices(services => services.AddSingleton<IHostResolver>(Resolver));
    }
}

/// <summary>
/// SSRF: URLs a caller names (a run's callbackUrl, a webhook) may not point into the service's own network — refused
/// when given, and again when sent, where a name that has since changed its answer (DNS rebinding) is caught too.
/// </summary>
public sealed class OutboundUrlTests(PrivateTargetsRefusedFactory factory) : IClassFixture<PrivateTargetsRefusedFactory>
{
    static readonly IPAddress Public = IPAddress.Parse("93.184.216.34");

    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://172.20.0.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.100.100.200/")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://loopback.example/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[fd00:ec2::254]/")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://0x7f000001/hook")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/")]
    [InlineData("http://[2002:7f00:1::1]/hook")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("https://user:secret@example.com/hook")]
    [InlineData("ftp://example.com/hook")]
    public async Task ACallbackUrlIntoTheServicesOwnNetwork_IsRefused(string url)
    {
        factory.Resolver.Names["loopback.example"] = [IPAddress.Loopback];
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { callbackUrl = url });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("callbackUrl", out _));
    }

    [Fact]
    public async Task APublicCallbackUrl_IsAccepted()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { callbackUrl = "https://hooks.zapier.com/hooks/catch/123/abc/" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://loopback.example/")]
    [InlineData("http://localhost/")]
    public async Task AWebhookIntoTheServicesOwnNetwork_IsRefused(string url)
    {
        factory.Resolver.Names["loopback.example"] = [IPAddress.Loopback];
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { WebhookEventTypes.RunFailed } });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("public internet", (await response.Json()).GetProperty("errors").GetProperty("url")[0].GetString());
    }

    [Fact]
    public async Task ANameThatResolvesInsideOnlyWhenSent_IsRefusedAtConnect_AndTheAttemptSaysWhy()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        factory.Resolver.Names["rebind.example"] = [Public];
        using var ws = await factory.CreateWorkspaceAsync();
        var created = await ws.Http.PostAsJsonAsync("/api/v1/webhooks",
            new { url = $"http://rebind.example:{receiver.Port}/hook", events = new[] { WebhookEventTypes.RunFailed } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Json()).GetProperty("id").GetGuid();

        factory.Resolver.Names["rebind.example"] = [IPAddress.Loopback];
        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<WebhookEvents>().PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() }, null, CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Text.Json.JsonElement delivery;
        while (true)
        {
            var items = (await (await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries")).Json()).GetProperty("items");
            if (items.GetArrayLength() == 1 && items[0].Str("status") == "failed")
            {
                delivery = items[0];
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "The delivery was not settled: " + items);
            await Task.Delay(50);
        }
        var attempt = Assert.Single(delivery.GetProperty("attemptLog").EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, attempt.GetProperty("statusCode").ValueKind);
        Assert.Contains("refused: 127.0.0.1 is a loopback/private/link-local/metadata address", attempt.Str("error"));
        Assert.Empty(receiver.Received);
    }
}
