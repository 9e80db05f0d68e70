using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Infrastructure;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

public sealed class IdempotencyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static HttpRequestMessage Post(string path, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: ApiFactory.Json) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task Ingest_ReplaysTheFirstReceipt_WhenTheSameKeyAndBodyAreSentAgain()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var orders = new[] { Order("A", total: 10m), Order("B", total: 20m) };

        var first = await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", orders, "key-1"));
        var second = await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", orders, "key-1"));

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var (a, b) = (await first.Json(), await second.Json());
        Assert.Equal(a.GetProperty("batchId").GetGuid(), b.GetProperty("batchId").GetGuid());
        Assert.Equal(2, b.GetProperty("inserted").GetInt32());
    }

    [Fact]
    public async Task Ingest_Returns422_WhenTheKeyComesWithAnotherBody()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", new[] { Order("A") }, "key-2"));

        var response = await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", new[] { Order("B") }, "key-2"));

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "key-2");
    }

    [Fact]
    public async Task AQuickEndpoint_Returns409_WhileTheFirstRequestWithTheKeyIsInFlight()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await ws.Http.SendAsync(Post("/api/v1/runs", new { label = "a" }, "key-3"))).StatusCode);
        await MarkInFlightAsync(factory, ws.WorkspaceId, "key-3");

        var response = await ws.Http.SendAsync(Post("/api/v1/runs", new { label = "a" }, "key-3"));

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "in progress");
    }

    [Fact]
    public async Task AKey_IsForgottenAfterADay_AndAClaimIsTakenOverOnceItsRequestCannotBeRunning()
    {
        // A factory of its own: this test moves the service's clock.
        using var own = new ApiFactory();
        using var ws = await own.CreateWorkspaceAsync();
        var orders = new[] { Order("A") };
        var first = await (await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", orders, "key-day"))).Json();

        own.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var nextDay = await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", orders, "key-day"));

        Assert.Equal(HttpStatusCode.Created, nextDay.StatusCode);
        Assert.False(nextDay.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.NotEqual(first.GetProperty("batchId").GetGuid(), (await nextDay.Json()).GetProperty("batchId").GetGuid());

        Assert.Equal(HttpStatusCode.Accepted, (await ws.Http.SendAsync(Post("/api/v1/runs", new { label = "r" }, "key-run"))).StatusCode);
        await MarkInFlightAsync(own, ws.WorkspaceId, "key-run");
        own.Clock.Advance(Idempotency.Abandoned - TimeSpan.FromSeconds(5));
        await (await ws.Http.SendAsync(Post("/api/v1/runs", new { label = "r" }, "key-run"))).AssertProblemAsync(HttpStatusCode.Conflict, "in progress");
        own.Clock.Advance(TimeSpan.FromSeconds(10));
        var takenOver = await ws.Http.SendAsync(Post("/api/v1/runs", new { label = "r" }, "key-run"));

        Assert.Equal(HttpStatusCode.Accepted, takenOver.StatusCode);
        Assert.False(takenOver.Headers.Contains(Idempotency.ReplayedHeader));
    }

    [Fact]
    public async Task Ingest_WritesItsAnswerWithItsBatch_AndLeavesNoClaimBehind()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", new[] { Order("A") }, "key-tx"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var scope = factory.Services.CreateScope();
        var record = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>().IdempotencyRecords.Single(r => r.WorkspaceId == ws.WorkspaceId && r.Key == "key-tx");
        Assert.Equal(201, record.StatusCode);
        Assert.Equal(response.Headers.Location!.ToString(), record.Location);
    }

    [Fact]
    public async Task ConcurrentIngestsWithOneKey_StoreOneBatch_AndAnswerAlike()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var orders = Enumerable.Range(0, 2000).Select(i => Order($"C{i}")).ToArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ws.Http.SendAsync(Post("/api/v1/sources/store/orders", orders, "key-race"))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var batches = (await Task.WhenAll(answers.Select(a => a.Json()))).Select(r => r.GetProperty("batchId").GetGuid()).Distinct().ToList();
        Assert.Single(batches);
        Assert.Equal(3, answers.Count(a => a.Headers.Contains(Idempotency.ReplayedHeader)));
    }

    /// <summary>Puts a key back in the state of a request that claimed it and has not finished.</summary>
    static async Task MarkInFlightAsync(ApiFactory host, Guid workspaceId, string key)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var record = db.IdempotencyRecords.Single(r => r.WorkspaceId == workspaceId && r.Key == key);
        record.StatusCode = null;
        record.ResponseBody = null;
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Ingest_AcceptsTheKeyAsABodyField_ForToolsThatCannotSetHeaders()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = new { idempotencyKey = "zap-123", orders = new[] { Order("A") } };

        var first = await ws.Http.PostAsJsonAsync("/api/v1/sources/store/orders", body, ApiFactory.Json);
        var replay = await ws.Http.PostAsJsonAsync("/api/v1/sources/store/orders", body, ApiFactory.Json);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await first.Json()).GetProperty("batchId").GetGuid(), (await replay.Json()).GetProperty("batchId").GetGuid());
    }

    [Fact]
    public async Task StartRun_ReplaysTheSameRun_AndKeysAreScopedToTheWorkspace()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var other = await factory.CreateWorkspaceAsync();

        var first = await ws.Http.SendAsync(Post("/api/v1/runs", new { label = "nightly" }, "run-1"));
        var replay = await ws.Http.SendAsync(Post("/api/v1/runs", new { label = "nightly" }, "run-1"));
        var otherWorkspace = await other.Http.SendAsync(Post("/api/v1/runs", new { label = "nightly" }, "run-1"));

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal((await first.Json()).GetProperty("id").GetGuid(), (await replay.Json()).GetProperty("id").GetGuid());
        Assert.Single((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.Accepted, otherWorkspace.StatusCode);
        Assert.False(otherWorkspace.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Ingest_ClaimsNoKey_ForABodyItCannotRead_SoTheFixedBodyGoesThroughWithTheSameKey()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var malformed = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources/store/orders") { Content = JsonBody("[{\"orderId\": ") };
        malformed.Headers.Add("Idempotency-Key", "fix-1");

        await (await ws.Http.SendAsync(malformed)).AssertProblemAsync(HttpStatusCode.BadRequest, "Malformed JSON");
        var fixedBody = await ws.Http.SendAsync(Post("/api/v1/sources/store/orders", new[] { Order("A") }, "fix-1"));

        Assert.Equal(HttpStatusCode.Created, fixedBody.StatusCode);
        Assert.False(fixedBody.Headers.Contains(Idempotency.ReplayedHeader));
    }

    [Fact]
    public async Task FileUpload_IsReplayed_ByTheFileItCarries()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        HttpRequestMessage Upload(string csv)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "file", "orders.csv" } };
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources/store/orders") { Content = form };
            request.Headers.Add("Idempotency-Key", "upload-1");
            return request;
        }
        const string Csv = "orderId,total,currency,orderDate\nA,10.00,USD,2026-11-10T12:00:00Z\n";

        var first = await ws.Http.SendAsync(Upload(Csv));
        var replay = await ws.Http.SendAsync(Upload(Csv));
        var otherFile = await ws.Http.SendAsync(Upload(Csv.Replace("10.00", "11.00")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal((await first.Json()).GetProperty("batchId").GetGuid(), (await replay.Json()).GetProperty("batchId").GetGuid());
        await otherFile.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "upload-1");
    }

    [Fact]
    public async Task AnEndpointThatAnswersOneOfSeveralResults_IsReplayedWithItsBody()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var settings = new { amountTolerance = 5 };
        HttpRequestMessage Put()
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/settings") { Content = JsonContent.Create(settings, options: ApiFactory.Json) };
            request.Headers.Add("Idempotency-Key", "settings-1");
            return request;
        }

        var first = await ws.Http.SendAsync(Put());
        var replay = await ws.Http.SendAsync(Put());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal((await first.Json()).GetProperty("version").GetInt32(), (await replay.Json()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A412_IsNotKept_SoTheSameRequestWithTheCurrentETagGoesThroughWithTheSameKey()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PutAsJsonAsync("/api/v1/settings", new { amountTolerance = 1 })).StatusCode);
        HttpRequestMessage Put(string ifMatch)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/settings") { Content = JsonContent.Create(new { amountTolerance = 2 }, options: ApiFactory.Json) };
            request.Headers.Add("Idempotency-Key", "settings-412");
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            return request;
        }

        var stale = await ws.Http.SendAsync(Put("\"0\""));
        var current = await ws.Http.SendAsync(Put("\"1\""));
        var replay = await ws.Http.SendAsync(Put("\"1\""));

        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.False(current.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.Equal(2, (await current.Json()).GetProperty("version").GetInt32());
        // What the request did is kept as usual: the next copy replays it.
        Assert.Equal("true", replay.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal(2, (await replay.Json()).GetProperty("version").GetInt32());
    }
}
