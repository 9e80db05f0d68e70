using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Features.Webhooks;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// The eighth probe, as an outside tester: webhook targets whose answer breaks off, bodies that ask for an error per
/// property, the problem every error answer is (type, title, detail that says where the fault is), what a shared cache may
/// keep of an authenticated answer, slow bodies on Kestrel, numbers out of their field's range, and one workspace's queue
/// of long writes against another's. The disk full or read-only is <see cref="StorageFailureTests"/>.
/// </summary>
public sealed class ProbeEightTests(WebhookFactory factory) : IClassFixture<WebhookFactory>
{
    /// <summary>
    /// A target that sends its status line and headers, then closes the connection before the body it announced: reading the
    /// answer threw past the attempt's bookkeeping, so the attempt was counted but never logged, the retry schedule never
    /// applied, and the overdue sweep sent it again every few minutes forever — never <c>failed</c>, never in the log. The
    /// attempt is logged with its status and what arrived: a 2xx succeeded (the target said so), any other status is a failed
    /// attempt that follows the schedule to <c>failed</c>.
    /// </summary>
    [Fact]
    public async Task ATargetWhoseAnswerBreaksOff_IsLoggedByItsStatus_AndFollowsTheRetrySchedule()
    {
        using var accepting = await BrokenAnswerServer.StartAsync(200);
        using var refusing = await BrokenAnswerServer.StartAsync(500);
        using var ws = await factory.CreateWorkspaceAsync();
        var accepted = await SubscribeAsync(ws, accepting.Url);
        var refused = await SubscribeAsync(ws, refusing.Url);

        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<WebhookEvents>().PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid() }, null, CancellationToken.None);

        var succeeded = await WaitForDeliveryAsync(ws, accepted, d => d.GetProperty("status").GetString() == "succeeded");
        var first = Assert.Single(succeeded.GetProperty("attemptLog").EnumerateArray());
        Assert.Equal(200, first.GetProperty("statusCode").GetInt32());
        Assert.Equal("partial", first.GetProperty("response").GetString());
        var failed = await WaitForDeliveryAsync(ws, refused, d => d.GetProperty("status").GetString() == "failed");
        // The factory's schedule: three retries, so four attempts, each logged with the status it got.
        Assert.Equal(4, failed.GetProperty("attempts").GetInt32());
        var log = failed.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal(4, log.Count);
        Assert.All(log, a => Assert.Equal(500, a.GetProperty("statusCode").GetInt32()));
        Assert.All(log, a => Assert.Contains("answered 500", a.GetProperty("error").GetString()));
        Assert.Equal(4, refusing.Connections);
    }

    async Task<Guid> SubscribeAsync(WorkspaceClient ws, string url)
    {
        var response = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { WebhookEventTypes.RunFailed } });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    static async Task<JsonElement> WaitForDeliveryAsync(WorkspaceClient ws, Guid webhookId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var items = (await (await ws.Http.GetAsync($"/api/v1/webhooks/{webhookId}/deliveries")).Json()).GetProperty("items").EnumerateArray().ToList();
            if (items.Count > 0 && done(items[0]))
                return items[0];
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The delivery did not get there: " + string.Join(", ", items));
            await Task.Delay(50);
        }
    }

    /// <summary>Answers every connection with the status line, a Content-Length of 1,000 and 7 bytes of it, then closes.</summary>
    sealed class BrokenAnswerServer : IDisposable
    {
        readonly TcpListener listener = new(IPAddress.Loopback, 0);
        int connections;

        public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook";

        public int Connections => Volatile.Read(ref connections);

        public static Task<BrokenAnswerServer> StartAsync(int status)
        {
            var server = new BrokenAnswerServer();
            server.listener.Start();
            _ = server.AcceptAsync(status);
            return Task.FromResult(server);
        }

        async Task AcceptAsync(int status)
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception)
                {
                    return;
                }
                Interlocked.Increment(ref connections);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[64 * 1024];
                        var request = new StringBuilder();
                        // Reads the request's headers and its body (Content-Length), then answers.
                        while (true)
                        {
                            var read = await stream.ReadAsync(buffer);
                            if (read == 0)
                                return;
                            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                            var text = request.ToString();
                            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                            if (end < 0)
                                continue;
                            var length = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } header
                                ? int.Parse(header["Content-Length:".Length..].Trim()) : 0;
                            if (text.Length - end - 4 >= length)
                                break;
                        }
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\npartial"));
                        await stream.FlushAsync();
                        client.Client.Shutdown(SocketShutdown.Both);
                    }
                });
            }
        }

        public void Dispose() => listener.Stop();
    }

    /// <summary>
    /// A body of our own with a property the type does not have is a 400 listing it; a body of 300,000 made-up properties
    /// (4.5 MB) was answered with 300,000 errors — 23 MB built and sent in seconds, for one request any key may repeat. The
    /// answer lists the first 100 and says there are more; a few unknown properties are each still named.
    /// </summary>
    [Fact]
    public async Task ABodyOfManyUnknownProperties_IsA400ListingAHundred_NotOnePerProperty()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = "{" + string.Join(',', Enumerable.Range(0, 300_000).Select(i => $"\"k{i}\": {i}")) + "}";

        var response = await ws.Http.PostAsync("/api/v1/runs", JsonBody(body));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 50_000, $"The answer is {text.Length:N0} characters");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(100, problem.GetProperty("errors").EnumerateObject().Count());
        Assert.True(problem.GetProperty("errors").TryGetProperty("k0", out _));
        Assert.Contains("first 100", problem.GetProperty("detail").GetString());
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").GetArrayLength());

        // Rules alike: an error per item of a list stops at 100 too.
        var rules = "{\"rules\": [" + string.Join(',', Enumerable.Range(0, 5_000).Select(_ => "{\"rule\": \"no_such_rule\"}")) + "]}";
        var many = await ws.Http.PutAsync("/api/v1/alert-rules", JsonBody(rules));
        await many.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await many.Json()).GetProperty("errors").EnumerateObject().Count() <= 100);

        // Three typos are three errors, each named, and the detail as before.
        var few = await ws.Http.PostAsync("/api/v1/runs", JsonBody("{\"form\": \"2026-11-01\", \"too\": \"2026-11-02\", \"lable\": \"x\"}"));
        await few.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = (await few.Json()).GetProperty("errors");
        Assert.Equal(["form", "too", "lable"], errors.EnumerateObject().Select(e => e.Name).ToArray());
        Assert.Equal("One or more fields are invalid; see errors.", (await few.Json()).GetProperty("detail").GetString());
    }

    /// <summary>
    /// Every error answer is a problem with <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c> and <c>traceId</c>: the 429
    /// of the rate limit and the 431 of oversized headers had no <c>type</c> (ASP.NET Core knows no default for RFC 6585's
    /// codes), where every other error names the RFC section of its status.
    /// </summary>
    [Fact]
    public async Task EveryErrorAnswer_IsAProblemWithTypeTitleStatusDetailAndTraceId()
    {
        using var limited = factory.WithWebHostBuilder(b => b.UseSetting("RateLimit:PermitsPerMinute", "2"));
        using var client = limited.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "rk_no_such_key");
        HttpResponseMessage? tooMany = null;
        for (var i = 0; i < 5 && tooMany is null; i++)
        {
            var answer = await client.GetAsync("/api/v1/runs");
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
                tooMany = answer;
        }
        Assert.NotNull(tooMany);
        using var ws = await factory.CreateWorkspaceAsync();
        var largeHeaders = new HttpRequestMessage(HttpMethod.Get, "/api/v1/runs");
        largeHeaders.Headers.Add("X-Large", new string('a', 33_000));
        var answers = new (string What, HttpResponseMessage Response)[]
        {
            ("429", tooMany),
            ("431", await ws.Http.SendAsync(largeHeaders)),
            ("414", await ws.Http.GetAsync("/api/v1/runs?status=" + new string('a', 9_000))),
            ("404", await ws.Http.GetAsync("/api/v1/nowhere")),
            ("405", await ws.Http.DeleteAsync("/api/v1/runs")),
            ("400", await ws.Http.GetAsync("/api/v1/runs?limit=0")),
            ("401", await factory.CreateClient().GetAsync("/api/v1/runs")),
        };

        foreach (var (what, response) in answers)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(what == ((int)response.StatusCode).ToString(), $"{what}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            foreach (var member in new[] { "type", "title", "detail", "traceId" })
                Assert.True(problem.TryGetProperty(member, out var value) && value.GetString() is { Length: > 0 }, $"{what} has no {member}: {body}");
            Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        }
    }

    /// <summary>
    /// An answer to a request that carried a key is a workspace's (or the admin's) and must not be kept by a shared cache nor
    /// served to another caller: <c>Cache-Control: no-store</c> and <c>Vary</c> on the headers a key travels in. The API's
    /// answers had no-store but no Vary, and the contract read with a key (outside Development it needs one) had neither.
    /// </summary>
    [Fact]
    public async Task AnAuthenticatedAnswer_IsNotStored_AndVariesByTheKeysHeaders()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var admin = factory.CreateAdminClient();
        var answers = new (string What, HttpResponseMessage Response)[]
        {
            ("runs", await ws.Http.GetAsync("/api/v1/runs")),
            ("settings", await ws.Http.GetAsync("/api/v1/settings")),
            ("not found", await ws.Http.GetAsync("/api/v1/runs/" + Guid.NewGuid())),
            ("contract", await ws.Http.GetAsync("/swagger/v1/swagger.json")),
            ("contract as admin", await admin.GetAsync("/swagger/v1/swagger.json")),
            ("jobs dashboard", await admin.GetAsync("/hangfire")),
            ("refused", await factory.CreateClient().GetAsync("/swagger/v1/swagger.json")),
        };
        foreach (var (what, response) in answers)
        {
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what}: Cache-Control {response.Headers.CacheControl}");
            var vary = string.Join(",", response.Headers.Vary).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.True(vary.Contains("Authorization", StringComparer.OrdinalIgnoreCase) && vary.Contains("X-Api-Key", StringComparer.OrdinalIgnoreCase),
                $"{what}: Vary {string.Join(", ", vary)}");
        }
        // The public dashboard page holds no data, and stays cacheable.
        Assert.NotEqual(true, (await factory.CreateClient().GetAsync("/dashboard")).Headers.CacheControl?.NoStore);
    }

    /// <summary>
    /// An alert rule's threshold past its upper bound was refused saying "an amount of money, 0 or more" (2,000,000,000,000) or
    /// "a whole number of findings, 0 or more" (20,000,000): a caller who sent a positive number was told what it had done.
    /// The message names the range, as every other bounded field's does; the bounds themselves still pass.
    /// </summary>
    [Theory]
    [InlineData("impact_above", "2000000000000", "1000000000000", "between 0 and 1,000,000,000,000")]
    [InlineData("new_discrepancies_above", "20000000", "10000000", "between 0 and 10,000,000")]
    public async Task AnAlertThresholdPastItsBound_IsToldTheRange(string rule, string over, string bound, string says)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PutAsync("/api/v1/alert-rules", JsonBody($$"""{"rules": [{"rule": "{{rule}}", "threshold": {{over}}}]}"""));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(says, (await response.Json()).GetProperty("errors").GetProperty("rules[0].threshold")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PutAsync("/api/v1/alert-rules", JsonBody($$"""{"rules": [{"rule": "{{rule}}", "threshold": {{bound}}}]}"""))).StatusCode);
    }

    /// <summary>
    /// SQLite's long writes (an ingest's batch, a run's results) take turns at one in-process gate, and the turns went first
    /// come, first served: a workspace that sent four large ingests at once (the bench's four clients) had all four served
    /// before another workspace's one-order ingest, which waited out their sum — past a Zapier step's 30 s. The turns go
    /// round the workspaces that wait: B's one ingest is served after at most one of A's.
    /// </summary>
    [Fact]
    public async Task TheWriteGate_TakesTurnsAcrossWorkspaces_SoOnesQueueOfIngestsDoesNotHoldAnotherBack()
    {
        using var a = await factory.CreateWorkspaceAsync();
        using var b = await factory.CreateWorkspaceAsync();
        var gate = factory.Services.GetRequiredService<ReconcileApi.Data.WriteGate>();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileApi.Data.ReconcileDbContext>();
        async Task Send(WorkspaceClient ws, string name)
        {
            var response = await ws.Http.PostAsJsonAsync("/api/v1/sources/store/orders", new[] { Order(name) }, ApiFactory.Json);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        async Task WaitForWaiters(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (gate.Waiting < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{gate.Waiting} of {count} writes wait at the gate");
                await Task.Delay(10);
            }
        }

        // A long write holds the gate (as the checkpointer's restart or a run's save would) while A's four ingests queue, then B's.
        var held = await gate.EnterAsync(db, CancellationToken.None);
        var fromA = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            fromA.Add(Send(a, $"A{i}"));
            await WaitForWaiters(i + 1);
        }
        var fromB = Send(b, "B");
        await WaitForWaiters(5);
        held.Dispose();
        await Task.WhenAll(fromA.Append(fromB));

        // The order the gate served them in is the order their rows were written (ids rise with each write); the answers'
        // own order is not it, as each request still answers after its turn.
        var order = await db.Orders.Where(o => o.WorkspaceId == a.WorkspaceId || o.WorkspaceId == b.WorkspaceId)
            .OrderBy(o => o.Id).Select(o => o.OrderId).ToListAsync();
        Assert.Equal(5, order.Count);
        Assert.True(order.IndexOf("B") <= 1, "Served in the order " + string.Join(", ", order));
    }

    /// <summary>
    /// A body trickled a byte at a time is cut off by Kestrel's minimum data rate (240 bytes a second after 5 s), so a slow
    /// client cannot hold a connection and its buffer for long. The 408 said only "The request could not be read.": the
    /// caller could not tell that the fault was its pace. It says so now. Through the real server (a child process on Kestrel).
    /// </summary>
    [Fact]
    public async Task ABodyTrickledSlowerThanTheMinimumRate_Is408SayingItCameTooSlowly_OnKestrel()
    {
        await using var service = await TestService.StartAsync("slow");
        var key = await service.CreateWorkspaceAsync("Slow");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(service.BaseAddress.Host, service.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/v1/sources/store/orders HTTP/1.1\r\nHost: {service.BaseAddress.Authority}\r\nX-Api-Key: {key}\r\n" +
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n["));
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var reading = stream.ReadAsync(buffer).AsTask();
        while (!reading.IsCompleted && DateTime.UtcNow < deadline)
        {
            try
            {
                await stream.WriteAsync(" "u8.ToArray());
            }
            catch (IOException)
            {
                break;
            }
            await Task.WhenAny(reading, Task.Delay(500));
        }
        var read = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        while (!answer.ToString().Contains("\r\n0\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0)
            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));

        var text = answer.ToString();
        Assert.StartsWith("HTTP/1.1 408", text);
        Assert.Contains("Content-Type: application/problem+json", text);
        Assert.Contains("too slowly", text);
    }

    /// <summary>
    /// A problem's title belongs to its type (RFC 9457, 3.1.3: it should not change from occurrence to occurrence): the 400s
    /// of the validation filter said "One or more validation errors occurred." and every other 400 "Bad Request", all under
    /// the same type. Every 400 is "Bad Request" now; what went wrong is in detail and errors, as before.
    /// </summary>
    [Fact]
    public async Task ProblemsOfOneType_HaveOneTitle()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var answers = new[]
        {
            await ws.Http.GetAsync("/api/v1/runs?limit=0"),
            await ws.Http.GetAsync("/api/v1/runs?zzNotAParameter=1"),
            await ws.Http.PostAsync("/api/v1/runs", JsonBody("{\"form\": \"2026-11-01\"}")),
            await ws.Http.PostAsync("/api/v1/runs", JsonBody("{\"from\": ")),
            await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody("[{\"orderId\": ")),
            await ws.Http.PostAsync("/api/v1/sources/store/orders?format=nope", JsonBody("[]")),
        };
        var problems = new List<(string Type, string Title, string Body)>();
        foreach (var response in answers)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
            var problem = JsonDocument.Parse(body).RootElement;
            problems.Add((problem.GetProperty("type").GetString()!, problem.GetProperty("title").GetString()!, body));
        }
        Assert.Single(problems.Select(p => p.Type).Distinct());
        Assert.All(problems, p => Assert.True(p.Title == "Bad Request", p.Body));
    }

    /// <summary>
    /// A number too large for its field — in a body or the query — was told it was no number: a threshold of 1e300 "Must be a
    /// number.", a windowDays or limit of 2147483648 "Must be a whole number.". It is told the field's range and that the value
    /// is out of it; a value that is no number, or a fraction where a whole number goes, is told what it must be, as before.
    /// </summary>
    [Theory]
    [InlineData("PUT", "/api/v1/alert-rules", """{"rules": [{"rule": "impact_above", "threshold": 1e300}]}""", "rules[0].threshold", "Must be a number from -79,228,162,514,264,337,593,543,950,335 to 79,228,162,514,264,337,593,543,950,335; 1e300 is out of range.")]
    [InlineData("POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "windowDays": 2147483648}""", "windowDays", "Must be a whole number from -2,147,483,648 to 2,147,483,647; 2147483648 is out of range.")]
    [InlineData("GET", "/api/v1/runs?limit=99999999999999999999", null, "limit", "Must be a whole number from -2,147,483,648 to 2,147,483,647; 99999999999999999999 is out of range.")]
    [InlineData("POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "windowDays": 1.5}""", "windowDays", "Must be a whole number.")]
    [InlineData("GET", "/api/v1/runs?limit=ten", null, "limit", "Must be a whole number.")]
    public async Task ANumberOutOfItsFieldsRange_IsToldTheRange_NotThatItIsNoNumber(string method, string url, string? body, string field, string message)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body is null ? null : JsonBody(body) };

        var response = await ws.Http.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(message, (await response.Json()).GetProperty("errors").GetProperty(field)[0].GetString());
    }
}
