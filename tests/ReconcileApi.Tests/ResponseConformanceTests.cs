using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Infrastructure;
using Xunit.Abstractions;

namespace ReconcileApi.Tests;

/// <summary>
/// Every answer the running service gives is one its contract documents (<see cref="ResponseContract"/>): each operation of
/// the live document is driven through its success path and its common error paths (401, 400, 404, 409, 412, 413, 415,
/// 422, 429 where they apply; a 405 is checked as a problem), every answer on the way is checked, and an operation never
/// exercised fails the test. Generated clients (NSwag, openapi-typescript, Kiota) trust the document; this holds the service to it.
/// </summary>
public sealed class ResponseConformanceTests(ApiFactory factory, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    /// <summary>
    /// Operations that cannot be driven here, with why. Empty: every operation of the contract is driven (the Hangfire
    /// dashboard, the health probes and the dashboard page are outside the contract).
    /// </summary>
    static readonly Dictionary<string, string> NotDriven = [];

    static readonly string[] IdempotentMethods = ["POST", "PUT"];

    [Fact]
    public async Task EveryOperation_AnswersAsTheContractDocuments()
    {
        var contract = new ResponseContract(await LiveDocumentAsync(factory));
        var drive = new Drive(factory, contract);
        await drive.SuccessAndErrorPathsAsync();
        await drive.VendorDataAsync();
        await drive.UnauthenticatedAsync();
        await drive.GenericBodyFaultsAsync();
        await drive.GenericQueryFaultsAsync();
        await drive.IdempotencyFaultsAsync();
        await drive.UndocumentedMethodsAsync();

        foreach (var operation in contract.Operations)
        {
            var statuses = contract.Exercised.TryGetValue(operation.Id, out var s) ? string.Join(" ", s.Keys.Order()) : "none";
            output.WriteLine($"{operation.Id}: {statuses}");
        }
        var failures = contract.Failures.Distinct().ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} answer(s) differ from the contract:\n" + string.Join('\n', failures));

        var missing = contract.Operations.Where(o => !NotDriven.ContainsKey(o.Id))
            .Where(o => !contract.Exercised.TryGetValue(o.Id, out var statuses) || !statuses.Keys.Any(s => s is >= 200 and < 300))
            .Select(o => $"{o.Id} ({o.Method} {o.Template})").ToList();
        Assert.True(missing.Count == 0, "Operations whose success path was never exercised:\n" + string.Join('\n', missing));
        var unknown = NotDriven.Keys.Where(k => contract.Operations.All(o => o.Id != k)).ToList();
        Assert.True(unknown.Count == 0, "Exclusions name no operation of the contract: " + string.Join(", ", unknown));
    }

    /// <summary>
    /// What only the real server does, on the service as a child process under Kestrel: a JSON body over
    /// Limits:MaxRequestBodyBytes (413) on every operation that takes one, and 429 on every operation once a caller
    /// without a valid key spent the address's permits.
    /// </summary>
    [Fact]
    public async Task UnderKestrel_EveryOperation_Answers413And429AsTheContractDocuments()
    {
        var contract = new ResponseContract(await LiveDocumentAsync(factory));
        var folder = Directory.CreateTempSubdirectory("conformance-");
        const int Permits = 60;
        try
        {
            await using var service = await ServiceProcess.StartAsync("conformance", new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Testing",
                ["ConnectionStrings__Reconcile"] = $"Data Source={Path.Combine(folder.FullName, "reconcile.db")}",
                ["Auth__AdminKey"] = ApiFactory.AdminKey,
                ["Jobs__WorkerCount"] = "1",
                ["Limits__MaxRequestBodyBytes"] = "4096",
                ["RateLimit__PermitsPerMinute"] = Permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            HttpClient Client(string? key)
            {
                var client = new HttpClient(contract.Handler(new SocketsHttpHandler())) { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
                if (key is not null)
                    client.DefaultRequestHeaders.Add("X-Api-Key", key);
                return client;
            }
            using var admin = Client(ApiFactory.AdminKey);
            var created = await (await admin.PostAsync("/api/v1/admin/workspaces", new StringContent("""{"name": "Kestrel"}""", Encoding.UTF8, "application/json"))).Json();
            using var ws = Client(created.GetProperty("apiKey").GetString());

            var tooLarge = new List<string>();
            foreach (var operation in contract.Operations.Where(o => o.Node["requestBody"] is not null))
            {
                // The documented example, padded with spaces (still the same JSON) past the limit.
                var example = operation.Node["requestBody"]!["content"]!["application/json"]!["example"]!.ToJsonString();
                using var request = Drive.Dummy(operation, body: example + new string(' ', 5000));
                // Kestrel closes a connection whose body it refused: each such request on a fresh one.
                request.Headers.ConnectionClose = true;
                using var response = await (operation.Template.StartsWith("/api/v1/admin/", StringComparison.Ordinal) ? admin : ws).SendAsync(request);
                tooLarge.Add($"{operation.Id} {(int)response.StatusCode}");
            }
            Assert.All(tooLarge, t => Assert.EndsWith(" 413", t));

            using var anonymous = Client(null);
            for (var i = 0; i < Permits; i++)
                await anonymous.GetAsync("/api/v1/runs");
            var limited = new List<string>();
            foreach (var operation in contract.Operations)
            {
                using var request = Drive.Dummy(operation);
                using var response = await anonymous.SendAsync(request);
                limited.Add($"{operation.Id} {(int)response.StatusCode}");
            }
            Assert.All(limited, l => Assert.EndsWith(" 429", l));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
        var failures = contract.Failures.Distinct().ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} answer(s) differ from the contract:\n" + string.Join('\n', failures));
    }

    /// <summary>What the contract shows as an answer's example is an answer it documents: a client's docs and mocks use them.</summary>
    [Fact]
    public async Task EveryResponseExample_MatchesItsSchema()
    {
        var contract = new ResponseContract(await LiveDocumentAsync(factory));
        var failures = new List<string>();
        var checkedExamples = 0;
        foreach (var operation in contract.Operations)
        {
            foreach (var (status, response) in operation.Node["responses"]!.AsObject())
            {
                foreach (var (mediaType, media) in response!["content"] as JsonObject ?? [])
                {
                    if (!mediaType.Contains("json", StringComparison.Ordinal) || media?["example"] is not { } example || media["schema"] is not JsonObject schema)
                        continue;
                    checkedExamples++;
                    failures.AddRange(contract.Validate(schema, JsonSerializer.SerializeToElement(example)).Select(f => $"{operation.Id} {status} example: {f}"));
                }
            }
        }
        Assert.True(checkedExamples > 100, $"Only {checkedExamples} examples were checked; the walk is broken.");
        Assert.True(failures.Count == 0, $"{failures.Count} example(s) differ from their schema:\n" + string.Join('\n', failures));
    }

    /// <summary>The checker must be able to fail: wrong answers run through it are each rejected for their defect.</summary>
    [Fact]
    public async Task Checker_RejectsAnswersTheContractDoesNotDocument()
    {
        var document = await LiveDocumentAsync(factory);
        var contract = new ResponseContract(document);
        var run = $"/api/v1/runs/{Guid.NewGuid()}";
        static HttpResponseMessage Answer(HttpStatusCode status, string? body, string mediaType = "application/json")
        {
            var response = new HttpResponseMessage(status);
            if (body is not null)
                response.Content = new StringContent(body, Encoding.UTF8, mediaType);
            return response;
        }
        List<string> Check(string method, string path, HttpResponseMessage response) =>
            contract.Check(method, path, response, response.Content.ReadAsStringAsync().Result);

        // An undocumented status.
        Assert.Contains(Check("GET", run, Answer(HttpStatusCode.Conflict, """{"status":409}""", "application/problem+json")), f => f.Contains("status not documented"));
        // An undocumented Content-Type.
        Assert.Contains(Check("GET", run, Answer(HttpStatusCode.NotFound, """{"status":404}""", "text/html")), f => f.Contains("Content-Type 'text/html'"));
        // A missing required property, a wrong type, a value outside the enum, a bad date-time and uuid, an extra property.
        var good = document["paths"]!["/api/v1/runs/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["example"]!.DeepClone().AsObject();
        Assert.Empty(Check("GET", run, Answer(HttpStatusCode.OK, good.ToJsonString())));
        foreach (var (edit, expected) in new (Action<JsonObject>, string)[]
        {
            (r => r.Remove("status"), "required"),
            (r => r["storeOrders"] = "12", "type"),
            (r => r["storeOrders"] = 1.5, "type"),
            (r => r["status"] = "exploded", "enum"),
            (r => r["createdAt"] = "yesterday", "format"),
            (r => r["id"] = "run-1", "format"),
            (r => r["label"] = 7, "type"),
            (r => r["id"] = null, "type"),
            (r => r["surprise"] = true, "additionalProperties"),
            (r => r["window"]!["storeOrders"] = "many", "type"),
        })
        {
            var bad = good.DeepClone().AsObject();
            edit(bad);
            var failures = Check("GET", run, Answer(HttpStatusCode.OK, bad.ToJsonString()));
            Assert.True(failures.Any(f => f.Contains(expected, StringComparison.OrdinalIgnoreCase)), $"{bad.ToJsonString()} was not rejected for {expected}: {string.Join("; ", failures)}");
        }
        // null is fine where the contract says nullable, and only there.
        var nulled = good.DeepClone().AsObject();
        nulled["label"] = null;
        Assert.Empty(Check("GET", run, Answer(HttpStatusCode.OK, nulled.ToJsonString())));
        // A body where none is documented, none where one is, a problem without its validation errors.
        Assert.Contains(Check("DELETE", $"/api/v1/schedules/{Guid.NewGuid()}", Answer(HttpStatusCode.NoContent, "{}")), f => f.Contains("documents none"));
        Assert.Contains(Check("GET", run, Answer(HttpStatusCode.OK, null)), f => f.Contains("no body"));
        Assert.Contains(Check("GET", "/api/v1/runs", Answer(HttpStatusCode.BadRequest, """{"status":400,"title":"Bad Request"}""", "application/problem+json")),
            f => f.Contains("errors"));
        // A client header sent but not documented.
        var located = Answer(HttpStatusCode.OK, good.ToJsonString());
        located.Headers.TryAddWithoutValidation("X-Unrelated", "1");
        located.Headers.ETag = new EntityTagHeaderValue("\"1\"");
        Assert.Contains(Check("GET", run, located), f => f.Contains("sends ETag"));
        // A success on a method the contract does not have.
        Assert.Contains(Check("PATCH", run, Answer(HttpStatusCode.OK, "{}")), f => f.Contains("does not have"));
    }

    static async Task<JsonObject> LiveDocumentAsync(ApiFactory factory)
    {
        using var admin = factory.CreateAdminClient();
        return JsonNode.Parse(await admin.GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();
    }

    /// <summary>The requests, sent through clients whose every answer the contract checks.</summary>
    sealed class Drive(ApiFactory factory, ResponseContract contract)
    {
        HttpClient Client(string? key)
        {
            var client = factory.CreateDefaultClient(contract.Handler());
            if (key is not null)
                client.DefaultRequestHeaders.Add("X-Api-Key", key);
            return client;
        }

        static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

        static StringContent Json(object value) => Json(JsonSerializer.Serialize(value, ApiFactory.Json));

        static async Task<HttpResponseMessage> Expect(Task<HttpResponseMessage> send, params HttpStatusCode[] statuses)
        {
            var response = await send;
            Assert.True(statuses.Contains(response.StatusCode),
                $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery}: expected {string.Join(" or ", statuses.Select(s => (int)s))}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return response;
        }

        string? workspaceKey;
        Guid workspaceId;

        /// <summary>Each operation's success, then its own documented errors, in the order a caller meets them.</summary>
        public async Task SuccessAndErrorPathsAsync()
        {
            using var admin = Client(ApiFactory.AdminKey);
            var created = await (await Expect(admin.PostAsync("/api/v1/admin/workspaces", Json("""{"name": "Conformance", "timezone": "America/New_York"}""")), HttpStatusCode.Created)).Json();
            workspaceId = created.GetProperty("id").GetGuid();
            workspaceKey = created.GetProperty("apiKey").GetString()!;
            await Expect(admin.PostAsync("/api/v1/admin/workspaces", Json("""{"name": ""}""")), HttpStatusCode.BadRequest);
            await Expect(admin.PostAsync("/api/v1/admin/workspaces", Json("{", "application/json")), HttpStatusCode.BadRequest);
            await Expect(admin.GetAsync($"/api/v1/admin/workspaces/{workspaceId}"), HttpStatusCode.OK);
            await Expect(admin.GetAsync($"/api/v1/admin/workspaces/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
            var key = await (await Expect(admin.PostAsync($"/api/v1/admin/workspaces/{workspaceId}/keys", null), HttpStatusCode.Created)).Json();
            await Expect(admin.PostAsync($"/api/v1/admin/workspaces/{Guid.NewGuid()}/keys", null), HttpStatusCode.NotFound);
            await Expect(admin.DeleteAsync($"/api/v1/admin/keys/{key.GetProperty("keyId").GetGuid()}"), HttpStatusCode.NoContent);
            await Expect(admin.DeleteAsync($"/api/v1/admin/keys/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

            using var ws = Client(workspaceKey);
            // Admin operations refuse a workspace key.
            await Expect(ws.GetAsync($"/api/v1/admin/workspaces/{workspaceId}"), HttpStatusCode.Forbidden);

            // Alert rules: one that fires on any new finding, so the run below raises an alert.
            await Expect(ws.GetAsync("/api/v1/alert-rules"), HttpStatusCode.OK);
            await Expect(ws.PutAsync("/api/v1/alert-rules", Json("""{"rules": [{"rule": "new_discrepancies_above", "threshold": 0}]}""")), HttpStatusCode.OK);
            await Expect(ws.PutAsync("/api/v1/alert-rules", Json("""{"rules": [{"rule": "cpu_above"}]}""")), HttpStatusCode.BadRequest);

            // Webhooks: a listener that is not there (deliveries fail and are logged, which is what the log needs).
            var hook = await (await Expect(ws.PostAsync("/api/v1/webhooks", Json("""{"url": "http://127.0.0.1:9/hook", "events": ["run.succeeded"]}""")), HttpStatusCode.Created)).Json();
            var hookId = hook.GetProperty("id").GetGuid();
            await Expect(ws.PostAsync("/api/v1/webhooks", Json("""{"url": "ftp://example.com", "events": []}""")), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync("/api/v1/webhooks"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/webhooks/{hookId}"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/webhooks/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

            // Orders: a store order Keap lacks, one whose total differs.
            var store = new[] { Api.Order("9001", total: 120m), Api.Order("9002", total: 50m) };
            var keap = new[] { Api.Order("K-1", orderNumber: "Order #9002", total: 45m) };
            var receipt = await (await Expect(ws.PostAsync("/api/v1/sources/store/orders", Json(store)), HttpStatusCode.Created)).Json();
            await Expect(ws.PostAsync("/api/v1/sources/keap/orders", Json(keap)), HttpStatusCode.Created);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders?format=csv", Json("orderId,total\n9003,12.00\n", "text/csv")), HttpStatusCode.Created);
            var rejectedKey = "conformance-replay-" + Guid.NewGuid();
            await Expect(Send(ws, HttpMethod.Post, "/api/v1/sources/store/orders", Json("""[{"orderId": "9004", "total": "n/a"}]"""), (Idempotency.Header, rejectedKey)), HttpStatusCode.UnprocessableEntity);
            await Expect(Send(ws, HttpMethod.Post, "/api/v1/sources/store/orders", Json("""[{"orderId": "9004", "total": "n/a"}]"""), (Idempotency.Header, rejectedKey)), HttpStatusCode.UnprocessableEntity);
            await Expect(ws.PostAsync("/api/v1/sources/nowhere/orders", Json(store)), HttpStatusCode.NotFound);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders", Json("""[{"id": 7, "line_items": [], "total_tax": "1.00"}]""")), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders", Json("<orders/>", "application/xml")), HttpStatusCode.UnsupportedMediaType);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders", Json("[" + string.Join(",", Enumerable.Repeat("{}", 50_001)) + "]")), HttpStatusCode.RequestEntityTooLarge);
            // The other bodies the ingest reads, and what it refuses in them.
            var workbook = new ByteArrayContent(Workbooks.Xlsx(new Dictionary<string, object> { ["Order Id"] = "9005", ["Total"] = 5 }));
            workbook.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
            await Expect(ws.PostAsync("/api/v1/sources/store/orders", workbook), HttpStatusCode.Created);
            using (var form = new MultipartFormDataContent { { new StringContent("orderId,total\n9006,6.00\n9006,7.00\n"), "file", "export.csv" } })
                await Expect(ws.PostAsync("/api/v1/sources/store/orders", form), HttpStatusCode.Created);
            using (var form = new MultipartFormDataContent { { new StringContent("x"), "other" } })
                await Expect(ws.PostAsync("/api/v1/sources/store/orders", form), HttpStatusCode.BadRequest);
            using (var form = new MultipartFormDataContent { { new StringContent("a"), "file", "a.csv" }, { new StringContent("b"), "file", "b.csv" } })
                await Expect(ws.PostAsync("/api/v1/sources/store/orders", form), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync("/api/v1/sources/keap/orders", Json("Order Title,Order Total\nShopify Order #9006,6.00\n", "text/plain")), HttpStatusCode.UnsupportedMediaType);
            await Expect(ws.PostAsync("/api/v1/sources/keap/orders?format=keap-csv", Json("Order Title,Order Total\nShopify Order #9006,6.00\n", "text/plain")), HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders?format=xml", Json(store)), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders?timezone=Mars/Base", Json(store)), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders?format=csv&columnMap=nonsense", Json("a,b\n1,2\n", "text/csv")), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders?format=keap-csv&dateOrder=ymd", Json("a,b\n1,2\n", "text/csv")), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders?format=shopify", Json("""{"order": {"id": 1, "name": "#1", "total_price": "1.00", "created_at": "2026-11-01T00:00:00Z", "test": true}}""")), HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity);
            await Expect(ws.PostAsync("/api/v1/sources/store/orders", Json(new[] { Api.Order("9001", total: 125m) })), HttpStatusCode.Created);
            await Expect(ws.GetAsync("/api/v1/sources/store/orders"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/sources/store/orders?limit=0"), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync("/api/v1/sources/nowhere/orders"), HttpStatusCode.NotFound);
            await Expect(ws.GetAsync("/api/v1/sources/store/orders/9001"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/sources/store/orders/none-such"), HttpStatusCode.NotFound);
            await Expect(ws.GetAsync($"/api/v1/batches/{receipt.GetProperty("batchId").GetGuid()}"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/batches/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

            // A run, polled until it ends.
            var started = await Expect(ws.PostAsync("/api/v1/runs", Json("""{"label": "conformance"}""")), HttpStatusCode.Accepted);
            var run = await ws.WaitForRunAsync(started.Headers.Location!.ToString());
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
            var runId = run.GetProperty("id").GetGuid();
            await Expect(ws.PostAsync("/api/v1/runs", Json("""{"from": "yesterday"}""")), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync($"/api/v1/runs/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
            await Expect(ws.GetAsync("/api/v1/runs"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/runs?status=done"), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync($"/api/v1/runs/{runId}/pending"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/runs/{runId}/pending?limit=0"), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync($"/api/v1/runs/{Guid.NewGuid()}/pending"), HttpStatusCode.NotFound);
            await Expect(ws.PostAsync($"/api/v1/runs/{runId}/cancel", null), HttpStatusCode.Conflict);
            await Expect(ws.PostAsync($"/api/v1/runs/{Guid.NewGuid()}/cancel", null), HttpStatusCode.NotFound);
            await CancelAQueuedRunAsync(ws);
            await AFailedRunAsync(ws);

            // Discrepancies: list (JSON and CSV), one, its history, resolve.
            await Expect(ws.GetAsync("/api/v1/discrepancies"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/discrepancies?format=csv"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/discrepancies?limit=0"), HttpStatusCode.BadRequest);
            var findings = (await (await Expect(ws.GetAsync($"/api/v1/runs/{runId}/discrepancies"), HttpStatusCode.OK)).Json()).GetProperty("items");
            Assert.True(findings.GetArrayLength() >= 2, findings.ToString());
            await Expect(ws.GetAsync($"/api/v1/runs/{runId}/discrepancies?format=csv"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/runs/{Guid.NewGuid()}/discrepancies"), HttpStatusCode.NotFound);
            await Expect(ws.GetAsync($"/api/v1/runs/{runId}/discrepancies?severity=dire"), HttpStatusCode.BadRequest);
            var first = findings[0].GetProperty("id").GetInt64();
            var second = findings[1].GetProperty("id").GetInt64();
            var one = await Expect(ws.GetAsync($"/api/v1/discrepancies/{first}"), HttpStatusCode.OK);
            var etag = one.Headers.ETag!.Tag;
            await Expect(ws.GetAsync($"/api/v1/discrepancies/{long.MaxValue}"), HttpStatusCode.NotFound);
            await Expect(ws.GetAsync($"/api/v1/discrepancies/{first}/history"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/discrepancies/{long.MaxValue}/history"), HttpStatusCode.NotFound);
            var resolve = """{"action": "acknowledge", "resolvedBy": "ana@example.com"}""";
            await Expect(Send(ws, HttpMethod.Post, $"/api/v1/discrepancies/{first}/resolution", Json(resolve), ("If-Match", "\"999\"")), HttpStatusCode.PreconditionFailed);
            await Expect(Send(ws, HttpMethod.Post, $"/api/v1/discrepancies/{first}/resolution", Json(resolve), ("If-Match", "999")), HttpStatusCode.BadRequest);
            await Expect(Send(ws, HttpMethod.Post, $"/api/v1/discrepancies/{first}/resolution", Json(resolve), ("If-Match", etag)), HttpStatusCode.OK);
            await Expect(ws.PostAsync($"/api/v1/discrepancies/{first}/resolution", Json("""{"action": "reopen", "resolvedBy": "ana@example.com"}""")), HttpStatusCode.Conflict);
            await Expect(ws.PostAsync($"/api/v1/discrepancies/{first}/resolution", Json("""{"action": "explode"}""")), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync($"/api/v1/discrepancies/{long.MaxValue}/resolution", Json(resolve)), HttpStatusCode.NotFound);
            // A write sent again with its Idempotency-Key: the first answer replayed (its ETag is not kept with it).
            var replayKey = "conformance-replay-" + Guid.NewGuid();
            await Expect(Send(ws, HttpMethod.Post, $"/api/v1/discrepancies/{second}/resolution", Json(resolve), (Idempotency.Header, replayKey)), HttpStatusCode.OK);
            var replayed = await Expect(Send(ws, HttpMethod.Post, $"/api/v1/discrepancies/{second}/resolution", Json(resolve), (Idempotency.Header, replayKey)), HttpStatusCode.OK);
            Assert.Equal("true", replayed.Headers.GetValues(Idempotency.ReplayedHeader).Single());
            await Expect(ws.PostAsync("/api/v1/discrepancies/resolutions", Json(new { ids = new[] { second, first, long.MaxValue }, action = "accepted_difference", resolvedBy = "ana@example.com" })), HttpStatusCode.OK);
            await Expect(ws.PostAsync("/api/v1/discrepancies/resolutions", Json("""{"ids": [], "action": "accepted_difference"}""")), HttpStatusCode.BadRequest);

            // Metrics.
            await Expect(ws.GetAsync("/api/v1/metrics/daily"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/metrics/daily?from=2026-13-01"), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync("/api/v1/metrics/causes"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/metrics/causes?from=2026-11-10&to=2026-11-01"), HttpStatusCode.BadRequest);

            // Alerts: the run raised one.
            var alerts = (await (await Expect(ws.GetAsync("/api/v1/alerts"), HttpStatusCode.OK)).Json()).GetProperty("items");
            Assert.True(alerts.GetArrayLength() > 0, "The run raised no alert to acknowledge.");
            await Expect(ws.GetAsync("/api/v1/alerts?status=asleep"), HttpStatusCode.BadRequest);
            await Expect(ws.PostAsync($"/api/v1/alerts/{alerts[0].GetProperty("id").GetInt64()}/acknowledge", Json("""{"by": "ana@example.com"}""")), HttpStatusCode.OK);
            await Expect(ws.PostAsync($"/api/v1/alerts/{long.MaxValue}/acknowledge", Json("""{"by": "ana@example.com"}""")), HttpStatusCode.NotFound);

            // Webhook deliveries: the run's run.succeeded.
            var deliveries = await WaitForDeliveryAsync(ws, hookId);
            await Expect(ws.GetAsync($"/api/v1/webhooks/{hookId}/deliveries?limit=0"), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync($"/api/v1/webhooks/{Guid.NewGuid()}/deliveries"), HttpStatusCode.NotFound);
            await Expect(ws.PostAsync($"/api/v1/webhooks/{hookId}/deliveries/{deliveries}/redeliver", null), HttpStatusCode.Accepted);
            await Expect(ws.PostAsync($"/api/v1/webhooks/{hookId}/deliveries/{Guid.NewGuid()}/redeliver", null), HttpStatusCode.NotFound);
            // A workspace holds at most 20 webhooks.
            var more = new List<Guid>();
            HttpResponseMessage added;
            while ((added = await Expect(ws.PostAsync("/api/v1/webhooks", Json($$"""{"url": "http://127.0.0.1:9/hook{{more.Count}}", "events": ["run.failed"]}""")), HttpStatusCode.Created, HttpStatusCode.Conflict)).StatusCode == HttpStatusCode.Created)
                more.Add((await added.Json()).GetProperty("id").GetGuid());
            foreach (var id in more)
                await Expect(ws.DeleteAsync($"/api/v1/webhooks/{id}"), HttpStatusCode.NoContent);
            await Expect(ws.DeleteAsync($"/api/v1/webhooks/{hookId}"), HttpStatusCode.NoContent);
            await Expect(ws.DeleteAsync($"/api/v1/webhooks/{hookId}"), HttpStatusCode.NotFound);

            // Schedules.
            var schedule = """{"name": "Every morning", "cron": "0 6 * * *", "timezone": "America/New_York", "windowDays": 7, "enabled": true}""";
            var scheduleKey = "conformance-replay-" + Guid.NewGuid();
            var scheduled = await (await Expect(Send(ws, HttpMethod.Post, "/api/v1/schedules", Json(schedule), (Idempotency.Header, scheduleKey)), HttpStatusCode.Created)).Json();
            await Expect(Send(ws, HttpMethod.Post, "/api/v1/schedules", Json(schedule), (Idempotency.Header, scheduleKey)), HttpStatusCode.Created);
            var scheduleId = scheduled.GetProperty("id").GetGuid();
            await Expect(ws.PostAsync("/api/v1/schedules", Json("""{"name": "Never", "cron": "not a cron"}""")), HttpStatusCode.BadRequest);
            await Expect(ws.GetAsync("/api/v1/schedules"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/schedules/{scheduleId}"), HttpStatusCode.OK);
            await Expect(ws.GetAsync($"/api/v1/schedules/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
            await Expect(ws.PutAsync($"/api/v1/schedules/{scheduleId}", Json(schedule.Replace("0 6", "30 6"))), HttpStatusCode.OK);
            await Expect(ws.PutAsync($"/api/v1/schedules/{scheduleId}", Json("""{"name": "", "cron": "0 6 * * *"}""")), HttpStatusCode.BadRequest);
            await Expect(ws.PutAsync($"/api/v1/schedules/{Guid.NewGuid()}", Json(schedule)), HttpStatusCode.NotFound);
            var triggered = await Expect(ws.PostAsync($"/api/v1/schedules/{scheduleId}/trigger", null), HttpStatusCode.Accepted);
            await ws.WaitForRunAsync(triggered.Headers.Location!.ToString());
            await Expect(ws.PostAsync($"/api/v1/schedules/{Guid.NewGuid()}/trigger", null), HttpStatusCode.NotFound);
            await Expect(ws.DeleteAsync($"/api/v1/schedules/{scheduleId}"), HttpStatusCode.NoContent);
            await Expect(ws.DeleteAsync($"/api/v1/schedules/{scheduleId}"), HttpStatusCode.NotFound);

            // Settings, with their version.
            var settings = await Expect(ws.GetAsync("/api/v1/settings"), HttpStatusCode.OK);
            var current = (await settings.Json()).GetProperty("settings").GetRawText();
            var settingsKey = "conformance-replay-" + Guid.NewGuid();
            await Expect(Send(ws, HttpMethod.Put, "/api/v1/settings", Json(current), ("If-Match", settings.Headers.ETag!.Tag), (Idempotency.Header, settingsKey)), HttpStatusCode.OK);
            await Expect(Send(ws, HttpMethod.Put, "/api/v1/settings", Json(current), (Idempotency.Header, settingsKey)), HttpStatusCode.OK);
            await Expect(Send(ws, HttpMethod.Put, "/api/v1/settings", Json(current), ("If-Match", "\"0\"")), HttpStatusCode.PreconditionFailed);
            await Expect(ws.PutAsync("/api/v1/settings", Json("""{"amountTolerance": -1}""")), HttpStatusCode.BadRequest);
        }

        /// <summary>
        /// The answers' many shapes: every vendor case (Vendor/Cases) ingested into one workspace, one run over them all,
        /// then every page of what it found, stored and left pending, each finding with its history, and the metrics.
        /// </summary>
        public async Task VendorDataAsync()
        {
            using var admin = Client(ApiFactory.AdminKey);
            var created = await (await Expect(admin.PostAsync("/api/v1/admin/workspaces", Json("""{"name": "Vendor data"}""")), HttpStatusCode.Created)).Json();
            using var ws = Client(created.GetProperty("apiKey").GetString());
            var folder = Path.Combine(AppContext.BaseDirectory, "Vendor", "Cases");
            foreach (var file in Directory.GetFiles(folder, "*.json").Order())
            {
                var c = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
                foreach (var side in (string[])["store", "keap"])
                {
                    if (!c.TryGetProperty(side, out var batch))
                        continue;
                    HttpContent content = batch.TryGetProperty("csv", out var csv)
                        ? new StringContent(csv.GetString()!, Encoding.UTF8, "text/csv")
                        : new StringContent(batch.GetProperty("body").GetRawText(), Encoding.UTF8, "application/json");
                    await Expect(ws.PostAsync($"/api/v1/sources/{side}/orders?format={batch.GetProperty("format").GetString()}", content),
                        HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity);
                }
            }
            var started = await Expect(ws.PostAsync("/api/v1/runs", Json("""{"from": "2026-01-01T00:00:00Z", "to": "2026-11-16T12:00:00Z"}""")), HttpStatusCode.Accepted);
            var run = await ws.WaitForRunAsync(started.Headers.Location!.ToString());
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
            var runId = run.GetProperty("id").GetGuid();

            var findings = await AllPagesAsync(ws, $"/api/v1/runs/{runId}/discrepancies?limit=40");
            Assert.True(findings.Count > 50, $"Only {findings.Count} findings over every vendor case.");
            foreach (var id in findings.Select(f => f.GetProperty("id").GetInt64()).Where((_, i) => i % 5 == 0))
            {
                await Expect(ws.GetAsync($"/api/v1/discrepancies/{id}"), HttpStatusCode.OK);
                await Expect(ws.GetAsync($"/api/v1/discrepancies/{id}/history"), HttpStatusCode.OK);
            }
            foreach (var sort in (string[])["-detectedAt", "-impact", "severity", "-id"])
                await AllPagesAsync(ws, $"/api/v1/discrepancies?sort={sort}&limit=100&state=open");
            await Expect(Send(ws, HttpMethod.Get, "/api/v1/discrepancies?excel=true", null, ("Accept", "text/csv")), HttpStatusCode.OK);
            await Expect(Send(ws, HttpMethod.Get, "/api/v1/discrepancies", null, ("Accept", "application/xml")), HttpStatusCode.OK, HttpStatusCode.NotAcceptable);
            await Expect(Send(ws, HttpMethod.Get, "/api/v1/runs", null, ("Accept", "text/csv")), HttpStatusCode.OK, HttpStatusCode.NotAcceptable);
            await AllPagesAsync(ws, $"/api/v1/runs/{runId}/pending?limit=20");
            foreach (var side in (string[])["store", "keap"])
            {
                var orders = await AllPagesAsync(ws, $"/api/v1/sources/{side}/orders?limit=50");
                foreach (var order in orders.Where((_, i) => i % 7 == 0))
                    await Expect(ws.GetAsync($"/api/v1/sources/{side}/orders/{Uri.EscapeDataString(order.GetProperty("orderId").GetString()!)}"), HttpStatusCode.OK);
            }
            await Expect(ws.GetAsync("/api/v1/metrics/daily?from=2026-01-01&to=2026-11-16"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/metrics/causes?from=2026-01-01&to=2026-11-16"), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/runs?limit=1"), HttpStatusCode.OK);
        }

        /// <summary>Every item of a paged list, following nextCursor.</summary>
        static async Task<List<JsonElement>> AllPagesAsync(HttpClient ws, string first)
        {
            var items = new List<JsonElement>();
            var url = first;
            while (true)
            {
                var page = await (await Expect(ws.GetAsync(url), HttpStatusCode.OK)).Json();
                items.AddRange(page.GetProperty("items").EnumerateArray());
                if (page.GetProperty("nextCursor").GetString() is not { } cursor)
                    return items;
                url = first + "&cursor=" + Uri.EscapeDataString(cursor);
            }
        }

        /// <summary>A run cancelled while it is queued: the worker is not asked first (its row is written queued).</summary>
        async Task CancelAQueuedRunAsync(HttpClient ws)
        {
            var started = await Expect(ws.PostAsync("/api/v1/runs", Json("{}")), HttpStatusCode.Accepted);
            var location = started.Headers.Location!.ToString();
            var cancelled = await Expect(ws.PostAsync(location + "/cancel", null), HttpStatusCode.OK, HttpStatusCode.Conflict);
            if (cancelled.StatusCode == HttpStatusCode.Conflict)
            {
                // The worker finished it first: set a finished run back to queued, as a run waiting for a worker is.
                using var scope = factory.Services.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
                var id = Guid.Parse(location.Split('/')[^1]);
                await db.Runs.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Queued));
                await Expect(ws.PostAsync(location + "/cancel", null), HttpStatusCode.OK);
            }
            await ws.WaitForRunAsync(location);
        }

        /// <summary>A run as a failure leaves it (its error set), read back: the row is written as the job writes a failed run's.</summary>
        async Task AFailedRunAsync(HttpClient ws)
        {
            var started = await Expect(ws.PostAsync("/api/v1/runs", Json("{}")), HttpStatusCode.Accepted);
            var location = started.Headers.Location!.ToString();
            await ws.WaitForRunAsync(location);
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            var id = Guid.Parse(location.Split('/')[^1]);
            await db.Runs.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Failed).SetProperty(r => r.Error, "The database was locked."));
            await Expect(ws.GetAsync(location), HttpStatusCode.OK);
            await Expect(ws.GetAsync("/api/v1/runs?status=failed"), HttpStatusCode.OK);
        }

        async Task<Guid> WaitForDeliveryAsync(HttpClient ws, Guid hookId)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var page = await (await Expect(ws.GetAsync($"/api/v1/webhooks/{hookId}/deliveries"), HttpStatusCode.OK)).Json();
                var items = page.GetProperty("items");
                if (items.GetArrayLength() > 0)
                    return items[0].GetProperty("id").GetGuid();
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"No delivery was attempted: {page}");
                await Task.Delay(50);
            }
        }

        static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, HttpContent? content, params (string Name, string Value)[] headers)
        {
            var request = new HttpRequestMessage(method, path) { Content = content };
            foreach (var (name, value) in headers)
                request.Headers.TryAddWithoutValidation(name, value);
            return client.SendAsync(request);
        }

        /// <summary>A request to <paramref name="operation"/> with made-up path values of the documented types and its example body.</summary>
        public static HttpRequestMessage Dummy(ResponseContract.Operation operation, string? mediaType = null, string? body = null)
        {
            var path = operation.Template;
            foreach (var parameter in (operation.Node["parameters"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["in"]!.GetValue<string>() == "path"))
            {
                var schema = parameter["schema"]!;
                var value = schema["format"]?.GetValue<string>() == "uuid" ? Guid.NewGuid().ToString()
                    : schema["type"]?.GetValue<string>() == "integer" ? "9223372036854775806"
                    : parameter["name"]!.GetValue<string>() == "source" ? "store" : "conformance";
                path = path.Replace("{" + parameter["name"]!.GetValue<string>() + "}", value);
            }
            var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
            if (body is not null)
                request.Content = new StringContent(body, Encoding.UTF8, mediaType ?? "application/json");
            else if (operation.Node["requestBody"]?["content"]?["application/json"]?["example"] is { } example)
                request.Content = new StringContent(example.ToJsonString(), Encoding.UTF8, "application/json");
            return request;
        }

        /// <summary>401 on every operation: no key, and a key that is none; each operation with the other kind of key (admin, workspace).</summary>
        public async Task UnauthenticatedAsync()
        {
            using var ws = Client(workspaceKey);
            using var admin = Client(ApiFactory.AdminKey);
            foreach (var operation in contract.Operations)
            {
                var other = operation.Template.StartsWith("/api/v1/admin/", StringComparison.Ordinal) ? ws : admin;
                using var request = Dummy(operation);
                await Expect(other.SendAsync(request), HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized);
            }
            using var anonymous = Client(null);
            foreach (var operation in contract.Operations)
            {
                using var request = Dummy(operation);
                await Expect(anonymous.SendAsync(request), HttpStatusCode.Unauthorized);
                using var guessed = Dummy(operation);
                guessed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "rk_not_a_key");
                await Expect(anonymous.SendAsync(guessed), HttpStatusCode.Unauthorized);
            }
        }

        /// <summary>On every operation that takes a body: one that is not JSON (400), one in an unsupported type, charset or coding (415).</summary>
        public async Task GenericBodyFaultsAsync()
        {
            using var ws = Client(workspaceKey);
            using var admin = Client(ApiFactory.AdminKey);
            foreach (var operation in contract.Operations.Where(o => o.Node["requestBody"] is not null))
            {
                var client = operation.Template.StartsWith("/api/v1/admin/", StringComparison.Ordinal) ? admin : ws;
                using (var request = Dummy(operation, body: "{\"unfinished\": "))
                    await Expect(client.SendAsync(request), HttpStatusCode.BadRequest, HttpStatusCode.NotFound);
                using (var request = Dummy(operation, "application/xml", "<x/>"))
                    await Expect(client.SendAsync(request), HttpStatusCode.UnsupportedMediaType);
                using (var request = Dummy(operation))
                {
                    request.Content!.Headers.ContentType!.CharSet = "iso-8859-1";
                    await Expect(client.SendAsync(request), HttpStatusCode.UnsupportedMediaType);
                }
                using (var request = Dummy(operation))
                {
                    request.Content!.Headers.ContentEncoding.Add("gzip");
                    await Expect(client.SendAsync(request), HttpStatusCode.UnsupportedMediaType);
                }
                // JSON that is not the body's shape: an array, a number, nothing, a property the body does not have.
                var example = operation.Node["requestBody"]!["content"]!["application/json"]!["example"]!;
                var unknown = example is JsonObject o ? new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())).Append(KeyValuePair.Create("notAField", (JsonNode?)1))).ToJsonString() : "[{\"notAField\": 1}]";
                foreach (var body in new[] { "[]", "42", "", "null", unknown })
                {
                    using var request = Dummy(operation, body: body);
                    await Expect(client.SendAsync(request), HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.UnprocessableEntity,
                        HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.Accepted);
                }
            }
            // A request without a body that says how a body would be encoded: nothing to misread.
            foreach (var operation in contract.Operations.Where(o => o.Node["requestBody"] is null))
            {
                var client = operation.Template.StartsWith("/api/v1/admin/", StringComparison.Ordinal) ? admin : ws;
                using var request = Dummy(operation);
                request.Content = new ByteArrayContent([]);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=iso-8859-1");
                request.Content.Headers.ContentEncoding.Add("gzip");
                await Expect(client.SendAsync(request), HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.NoContent, HttpStatusCode.Created, HttpStatusCode.UnsupportedMediaType);
            }
        }

        /// <summary>Every query parameter of every operation sent a value of no documented kind.</summary>
        public async Task GenericQueryFaultsAsync()
        {
            using var ws = Client(workspaceKey);
            foreach (var operation in contract.Operations.Where(o => !o.Template.StartsWith("/api/v1/admin/", StringComparison.Ordinal)))
            {
                foreach (var parameter in (operation.Node["parameters"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["in"]!.GetValue<string>() == "query"))
                {
                    foreach (var value in new[] { "not a value", "-1", "99999999999999999999", "2026-02-30" })
                    {
                        using var request = Dummy(operation);
                        request.RequestUri = new Uri(request.RequestUri!.OriginalString + "?" + parameter["name"]!.GetValue<string>() + "=" + Uri.EscapeDataString(value), UriKind.Relative);
                        await Expect(ws.SendAsync(request), HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Created,
                            HttpStatusCode.UnprocessableEntity);
                    }
                }
            }
        }

        /// <summary>
        /// On every POST and PUT that honours Idempotency-Key: a key over 255 characters (400), a key used with another
        /// request (422), and a key whose first request is still in progress (409).
        /// </summary>
        public async Task IdempotencyFaultsAsync()
        {
            using var ws = Client(workspaceKey);
            var honoured = contract.Operations.Where(o => IdempotentMethods.Contains(o.Method)
                && (o.Node["parameters"] as JsonArray ?? []).Any(p => p?["name"]?.GetValue<string>() == Idempotency.Header)).ToList();
            Assert.NotEmpty(honoured);
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            foreach (var operation in honoured)
            {
                using (var request = Dummy(operation))
                {
                    request.Headers.Add(Idempotency.Header, new string('k', 256));
                    await Expect(ws.SendAsync(request), HttpStatusCode.BadRequest);
                }

                var key = "conformance-" + Guid.NewGuid();
                using (var first = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/runs/{Guid.NewGuid()}/cancel"))
                {
                    first.Headers.Add(Idempotency.Header, key);
                    await Expect(ws.SendAsync(first), HttpStatusCode.NotFound);
                }
                using (var request = Dummy(operation))
                {
                    request.Headers.Add(Idempotency.Header, key);
                    await Expect(ws.SendAsync(request), HttpStatusCode.UnprocessableEntity);
                }

                // A claim of this very request, as a request still running leaves it.
                using var pending = Dummy(operation);
                var inProgress = "conformance-" + Guid.NewGuid();
                var context = new DefaultHttpContext();
                context.Request.Method = pending.Method.Method;
                context.Request.Path = pending.RequestUri!.OriginalString;
                var body = pending.Content is null ? [] : await pending.Content.ReadAsByteArrayAsync();
                db.IdempotencyRecords.Add(new IdempotencyRecord
                {
                    WorkspaceId = workspaceId, Key = inProgress, RequestHash = Idempotency.HashRequest(context.Request, body),
                    CreatedAt = factory.Clock.GetUtcNow().UtcDateTime,
                });
                await db.SaveChangesAsync();
                pending.Headers.Add(Idempotency.Header, inProgress);
                await Expect(ws.SendAsync(pending), HttpStatusCode.Conflict);
            }
        }

        /// <summary>A method the contract does not document on each of its paths: 405 as a problem (not an operation, so not counted).</summary>
        public async Task UndocumentedMethodsAsync()
        {
            using var ws = Client(workspaceKey);
            foreach (var path in contract.Operations.GroupBy(o => o.Template))
            {
                var documented = path.Select(o => o.Method).ToHashSet();
                var method = new[] { "PATCH", "PUT", "DELETE", "POST" }.First(m => !documented.Contains(m));
                using var request = Dummy(path.First());
                request.Method = new HttpMethod(method);
                request.Content = null;
                await Expect(ws.SendAsync(request), HttpStatusCode.MethodNotAllowed, HttpStatusCode.Forbidden);
            }
        }
    }
}
