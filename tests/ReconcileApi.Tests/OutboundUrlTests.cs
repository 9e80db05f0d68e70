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

/// <summary>
/// Names resolve from a table the test writes (no DNS here): a test can make a name point anywhere, and change it; and
/// the machine has the addresses the test gives it.
/// </summary>
public sealed class TableHostResolver : IHostResolver
{
    public ConcurrentDictionary<string, IPAddress[]> Names { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlySet<IPAddress> Own { get; set; } = new HashSet<IPAddress>();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        Names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new SocketException((int)SocketError.HostNotFound);

    public IReadOnlySet<IPAddress> OwnAddresses() => Own;
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

    /// <summary>A public address the tests give this machine (as a cloud VM with a public IP on its interface has).</summary>
    static readonly IPAddress OwnPublic = IPAddress.Parse("93.184.216.35");

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
    [InlineData("http://192.0.2.2/hook")]                          // documentation ranges (this host's eth0 is 192.0.2.2)
    [InlineData("http://198.51.100.7/hook")]
    [InlineData("http://203.0.113.9/hook")]
    [InlineData("http://198.19.0.1/hook")]                         // benchmarking
    [InlineData("http://192.88.99.1/hook")]                        // 6to4 relay anycast
    [InlineData("http://240.0.0.1/hook")]                          // reserved
    [InlineData("http://255.255.255.255/hook")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://[2001:db8::1]/hook")]
    [InlineData("http://[3fff::1]/hook")]
    [InlineData("http://[100::1]/hook")]                           // discard-only
    [InlineData("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/")] // Teredo
    [InlineData("http://[2002:c000:202::1]/hook")]                 // 6to4 of 192.0.2.2
    [InlineData("http://[64:ff9b::c000:202]/hook")]                // NAT64 of 192.0.2.2
    [InlineData("http://[64:ff9b:1::5db8:d822]/hook")]             // local-use NAT64
    [InlineData("http://[::127.0.0.1]/hook")]                      // IPv4-compatible
    [InlineData("http://[::ffff:192.0.2.2]/hook")]
    [InlineData("http://[fc00::1]/hook")]
    [InlineData("http://[fec0::1]/hook")]
    [InlineData("http://[ff02::1]/hook")]
    [InlineData("http://[::]/hook")]
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
    [InlineData("https://93.184.216.34/hook")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    [InlineData("https://[::ffff:93.184.216.34]/hook")]
    [InlineData("https://[64:ff9b::5db8:d822]/hook")]              // NAT64 of a public address
    [InlineData("https://[2002:5db8:d822::1]/hook")]               // 6to4 of a public address
    public async Task APublicAddress_IsAccepted(string url)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { callbackUrl = url });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task AnAddressOfThisMachine_IsRefused_EvenAPublicOne()
    {
        factory.Resolver.Names["own.example"] = [OwnPublic];
        factory.Resolver.Own = new HashSet<IPAddress> { OwnPublic };
        try
        {
            using var ws = await factory.CreateWorkspaceAsync();

            var callback = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { callbackUrl = $"http://{OwnPublic}/hook" });
            var webhook = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://own.example/hook", events = new[] { WebhookEventTypes.RunFailed } });

            await callback.AssertProblemAsync(HttpStatusCode.BadRequest);
            await webhook.AssertProblemAsync(HttpStatusCode.BadRequest);
        }
        finally
        {
            factory.Resolver.Own = new HashSet<IPAddress>();
        }
    }

    [Fact]
    public void TheMachinesOwnAddresses_AreReadFromItsInterfaces()
    {
        Assert.Contains(IPAddress.Loopback, new DnsHostResolver(TimeProvider.System).OwnAddresses());
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
        var id = await SubscribeAsync(ws, $"http://rebind.example:{receiver.Port}/hook");

        factory.Resolver.Names["rebind.example"] = [IPAddress.Loopback];
        var attempt = await SettledAttemptAsync(ws, id);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, attempt.GetProperty("statusCode").ValueKind);
        Assert.Contains("refused: 127.0.0.1 is a loopback/private/link-local/metadata address", attempt.Str("error"));
        Assert.Empty(receiver.Received);
    }

    /// <summary>The probe's case: a listener on the machine's own interface answered, and the log showed its answer to the caller.</summary>
    [Fact]
    public async Task ANameThatResolvesToThisMachineWhenSent_IsRefusedAtConnect_AndNoAnswerIsLogged()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // Not resolvable yet, so accepted now and checked when sent.
        var id = await SubscribeAsync(ws, "http://later-own.example/hook");

        factory.Resolver.Names["later-own.example"] = [OwnPublic];
        factory.Resolver.Own = new HashSet<IPAddress> { OwnPublic };
        try
        {
            var attempt = await SettledAttemptAsync(ws, id);

            Assert.Contains($"refused: {OwnPublic} is a loopback/private/link-local/metadata address, reserved, or this machine's own", attempt.Str("error"));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, attempt.GetProperty("response").ValueKind);
        }
        finally
        {
            factory.Resolver.Own = new HashSet<IPAddress>();
        }
    }

    static async Task<Guid> SubscribeAsync(WorkspaceClient ws, string url)
    {
        var created = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { WebhookEventTypes.RunFailed } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Json()).GetProperty("id").GetGuid();
    }

    /// <summary>Publishes an event to the workspace and waits for its one delivery to fail (there are no retries here); its one attempt.</summary>
    async Task<System.Text.Json.JsonElement> SettledAttemptAsync(WorkspaceClient ws, Guid id)
    {
        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<WebhookEvents>().PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() }, null, CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var items = (await (await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries")).Json()).GetProperty("items");
            if (items.GetArrayLength() == 1 && items[0].Str("status") == "failed")
                return Assert.Single(items[0].GetProperty("attemptLog").EnumerateArray());
            Assert.True(DateTime.UtcNow < deadline, "The delivery was not settled: " + items);
            await Task.Delay(50);
        }
    }
}
