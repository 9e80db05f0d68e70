using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ReconcileApi.Tests;

/// <summary>
/// The live OpenAPI document is the contract: it must equal the committed api-spec/openapi.json
/// (UPDATE_API_SPEC=1, or scripts/update-api-spec.sh, rewrites the file for review), and every
/// operation must be documented well enough to call it without reading the code.
/// </summary>
public sealed partial class ContractTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    const string SpecPath = "api-spec/openapi.json";
    static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Keep the file readable: no \u0027 for quotes or \u2014 for dashes in descriptions.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public async Task LiveDocument_EqualsTheCommittedSpec()
    {
        var live = Normalize(await LiveDocumentTextAsync());
        var path = Path.Combine(RepositoryRoot(), SpecPath);

        if (Environment.GetEnvironmentVariable("UPDATE_API_SPEC") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, live, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return;
        }

        Assert.True(File.Exists(path), $"{SpecPath} is missing; run scripts/update-api-spec.sh and commit the file.");
        var committed = Normalize(await File.ReadAllTextAsync(path));
        if (committed != live)
        {
            Assert.Fail($"The live OpenAPI document differs from {SpecPath}; run scripts/update-api-spec.sh, review the diff and commit it.\n" +
                FirstDifference(committed, live));
        }
    }

    [Fact]
    public async Task EveryOperation_HasAnOperationIdAndASummary() =>
        AssertNone(IdAndSummaryFailures(await LiveDocumentAsync()));

    [Fact]
    public async Task EveryOperation_DocumentsAProblemResponse() =>
        AssertNone(ProblemResponseFailures(await LiveDocumentAsync()));

    /// <summary>A body in another content type, a content coding or a charset other than UTF-8 is refused before it is read.</summary>
    [Fact]
    public async Task EveryOperationWithABody_Documents415() =>
        AssertNone(UnsupportedMediaTypeFailures(await LiveDocumentAsync()));

    [Fact]
    public async Task EveryOperation_DocumentsItsSuccessResponse() =>
        AssertNone(SuccessResponseFailures(await LiveDocumentAsync()));

    [Fact]
    public async Task EveryRequestBody_AndEverySuccessfulResponseBody_HasAnExample() =>
        AssertNone(ExampleFailures(await LiveDocumentAsync()));

    [Fact]
    public async Task EnumSchemas_AreStrings()
    {
        var document = await LiveDocumentAsync();
        Assert.True(CountEnums(document) > 0, "The document has no enum schema at all; the walk is broken.");
        AssertNone(EnumFailures(document));
    }

    /// <summary>
    /// NSwag's System.Text.Json client converts enums only where a property is of the enum type: an enum as a list's items
    /// or a map's values threw reading GET /settings. Such collections hold text (their values in the description).
    /// </summary>
    [Fact]
    public async Task NoListOrMapOfABodyHoldsAnEnum()
    {
        var document = await LiveDocumentAsync();
        var enums = document["components"]!["schemas"]!.AsObject().Where(s => s.Value?["enum"] is JsonArray).Select(s => "#/components/schemas/" + s.Key).ToHashSet();
        var failures = new List<string>();
        Walk(document["components"]!, "#/components", (node, pointer) =>
        {
            foreach (var member in new[] { "items", "additionalProperties" })
                if (node[member] is JsonObject child && child["$ref"]?.GetValue<string>() is { } target && enums.Contains(target))
                    failures.Add($"{pointer}/{member}: refers to the enum {target}; make it text");
        });
        AssertNone(failures);
    }

    [Fact]
    public async Task QueryParameters_AreNamedAsTheApiReadsThem() =>
        AssertNone(ParameterNameFailures(await LiveDocumentAsync()));

    /// <summary>The API writes every property of an answer, nulls included: a client may rely on each being there.</summary>
    [Fact]
    public async Task EveryAnsweredSchema_RequiresEveryProperty() =>
        AssertNone(RequiredFailures(await LiveDocumentAsync()));

    /// <summary>A page's nextCursor goes back unchanged as the next request's cursor: a generated client must be able to pass it as it is.</summary>
    [Fact]
    public async Task EveryCursorParameter_TakesTheNextCursorAsItIs() =>
        AssertNone(CursorFailures(await LiveDocumentAsync()));

    [Fact]
    public async Task EveryWorkspacePostAndPut_DeclaresIdempotencyKey() =>
        AssertNone(IdempotencyFailures(await LiveDocumentAsync()));

    [Fact]
    public async Task EveryWorkspacePostAndPut_DocumentsTheReplayedHeader_OnItsSuccesses() =>
        AssertNone(ReplayedHeaderFailures(await LiveDocumentAsync()));

    /// <summary>What is null at run time is nullable in the contract (NullableFromAnnotations), and what never is, is not.</summary>
    [Theory]
    [InlineData("DiscrepancyResponse", "resolution", true)]
    [InlineData("RunProgress", "phase", true)]
    [InlineData("HistoryEntry", "fromState", true)]
    [InlineData("RunResponse", "syncLag", true)]
    [InlineData("RunResponse", "label", true)]
    [InlineData("RunWindowSummary", "matchRate", true)]
    [InlineData("DiscrepancyResponse", "id", false)]
    [InlineData("DiscrepancyResponse", "cause", false)]
    [InlineData("RunResponse", "progress", false)]
    [InlineData("CanonicalOrderInput", "tax", true)]
    [InlineData("CanonicalOrderInput", "total", false)]
    public async Task Nullability_FollowsTheCSharpAnnotations(string schema, string property, bool nullable)
    {
        var document = await LiveDocumentAsync();
        var node = document["components"]!["schemas"]![schema]!["properties"]![property]!.AsObject();
        Assert.Equal(nullable, AllowsNull(node));
    }

    /// <summary>Request money is a number or a decimal string; answered money is a number.</summary>
    [Fact]
    public async Task Money_IsANumberOrADecimalString_InRequestsOnly()
    {
        var schemas = (await LiveDocumentAsync())["components"]!["schemas"]!;
        var requested = schemas["OrderLineInput"]!["properties"]!["unitPrice"]!["oneOf"]!.AsArray().Select(m => m!["type"]!.GetValue<string>());
        Assert.Equal(["number", "string"], requested);
        Assert.Equal("number", schemas["OrderLine"]!["properties"]!["unitPrice"]!["type"]!.GetValue<string>());
    }

    /// <summary>
    /// Money is a C# decimal: format "decimal" (Kiota and NSwag generate decimal for it, double for Swashbuckle's
    /// default "double", which rounds the 4-place amounts near the 1e12 limit); a true double stays "double".
    /// </summary>
    [Theory]
    [InlineData("DiscrepancyResponse", "impact", "decimal")]
    [InlineData("DiscrepancyResponse", "difference", "decimal")]
    [InlineData("RunResponse", "impact", "decimal")]
    [InlineData("OrderLine", "unitPrice", "decimal")]
    [InlineData("CanonicalOrder", "total", "decimal")]
    [InlineData("SyncLag", "behindHours", "double")]
    public async Task Money_IsADecimal(string schema, string property, string format)
    {
        var schemas = (await LiveDocumentAsync())["components"]!["schemas"]!;
        Assert.Equal(format, schemas[schema]!["properties"]![property]!["format"]!.GetValue<string>());
        var requested = schemas["OrderLineInput"]!["properties"]!["unitPrice"]!["oneOf"]![0]!;
        Assert.Equal("decimal", requested["format"]!.GetValue<string>());
    }

    [Fact]
    public async Task Security_OffersEachSchemeAsAnAlternative()
    {
        var document = await LiveDocumentAsync();
        var schemes = document["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key).Order().ToList();
        var alternatives = document["security"]!.AsArray().Select(r => r!.AsObject().Select(s => s.Key).ToList()).ToList();
        Assert.All(alternatives, a => Assert.Single(a));
        Assert.Equal(schemes, alternatives.Select(a => a[0]).Order().ToList());
        Assert.Equal(["apiKey", "basic", "bearer"], schemes);
    }

    [Fact]
    public async Task SwaggerUi_PersistsAuthorization()
    {
        using var client = factory.CreateAdminClient();
        var script = await client.GetStringAsync("/swagger/index.js");
        Assert.Contains("\"persistAuthorization\":true", script.Replace(" ", ""));
    }

    /// <summary>A body trickled below Kestrel's minimum rate is a 408 problem (BindingFailures): documented on every operation that reads one.</summary>
    [Fact]
    public async Task EveryOperationThatReadsABody_DocumentsThe408OfABodyThatCameTooSlowly()
    {
        var document = await LiveDocumentAsync();
        var withBody = Operations(document).Where(o => o.Operation["requestBody"] is not null).ToList();
        Assert.NotEmpty(withBody);
        Assert.All(withBody, o => Assert.True(o.Operation["responses"]?["408"]?["content"]?["application/problem+json"] is not null, $"{o.Name} documents no 408 problem"));
    }

    /// <summary>Each value the contract offers for a query parameter is one the endpoint accepts (no 400).</summary>
    /// <summary>An operation that refuses for a reason of its own shows that reason in its example (409, 412, 422), and its 404's names what it looked for.</summary>
    [Fact]
    public async Task AProblemExample_SaysTheOperationsOwnProblem()
    {
        var document = await LiveDocumentAsync();
        string Detail(string path, string method, string status = "409") =>
            document["paths"]![path]![method]!["responses"]![status]!["content"]!["application/problem+json"]!["example"]!["detail"]!.GetValue<string>();
        var own = new Dictionary<string, string>
        {
            ["POST /api/v1/runs"] = Detail("/api/v1/runs", "post"),
            ["POST /api/v1/runs/{id}/cancel"] = Detail("/api/v1/runs/{id}/cancel", "post"),
            ["POST /api/v1/schedules"] = Detail("/api/v1/schedules", "post"),
            ["POST /api/v1/webhooks"] = Detail("/api/v1/webhooks", "post"),
            ["POST /api/v1/discrepancies/{id}/resolution"] = Detail("/api/v1/discrepancies/{id}/resolution", "post"),
        };
        Assert.Equal(own.Count, own.Values.Distinct().Count());
        Assert.Contains("runs waiting to start", own["POST /api/v1/runs"]);
        Assert.Contains("only queued or running runs", own["POST /api/v1/runs/{id}/cancel"]);
        Assert.Contains("schedules", own["POST /api/v1/schedules"]);
        Assert.Contains("webhooks", own["POST /api/v1/webhooks"]);
        Assert.StartsWith("The discrepancy is resolved; 'acknowledge' applies only to", own["POST /api/v1/discrepancies/{id}/resolution"]);
        // The others refuse only a key whose first request is still in progress.
        Assert.Contains("is still in progress", Detail("/api/v1/sources/{source}/orders", "post"));
        Assert.Contains("is still in progress", Detail("/api/v1/settings", "put"));

        Assert.StartsWith("Discrepancy '", Detail("/api/v1/discrepancies/{id}/history", "get", "404"));
        Assert.StartsWith("Webhook '", Detail("/api/v1/webhooks/{id}/deliveries", "get", "404"));
        Assert.StartsWith("Delivery '", Detail("/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", "post", "404"));
        Assert.StartsWith("Order '", Detail("/api/v1/sources/{source}/orders/{orderId}", "get", "404"));
        Assert.StartsWith("Run '", Detail("/api/v1/runs/{id}/pending", "get", "404"));

        Assert.StartsWith("The settings changed since you read them", Detail("/api/v1/settings", "put", "412"));
        Assert.StartsWith("The discrepancy changed since you read it", Detail("/api/v1/discrepancies/{id}/resolution", "post", "412"));
        Assert.StartsWith("Every order of the batch was rejected", Detail("/api/v1/sources/{source}/orders", "post", "422"));
    }

    /// <summary>
    /// The ingest's 422 names its own schema: a generated client reads the receipt of a rejected batch (batchId, errors…) as
    /// typed fields, where a plain ProblemDetails left them untyped (Kiota's AdditionalData). Every field the service writes is
    /// one the schema has, and none is required: a 422 for a reused Idempotency-Key carries the problem's fields alone.
    /// </summary>
    [Fact]
    public async Task TheIngests422_TypesTheReceiptOfARejectedBatch()
    {
        var document = await LiveDocumentAsync();
        var response422 = document["paths"]!["/api/v1/sources/{source}/orders"]!["post"]!["responses"]!["422"]!["content"]!["application/problem+json"]!;
        Assert.Equal("#/components/schemas/RejectedIngestProblem", response422["schema"]!["$ref"]?.GetValue<string>());
        var schema = document["components"]!["schemas"]!["RejectedIngestProblem"]!;
        var properties = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
        var receipt = document["components"]!["schemas"]!["IngestReceipt"]!["properties"]!.AsObject().Select(p => p.Key);
        Assert.Subset(properties, receipt.Concat(["type", "title", "status", "detail", "traceId"]).ToHashSet());
        Assert.True(schema["required"] is null or JsonArray { Count: 0 }, $"required: {schema["required"]?.ToJsonString()}");

        using var workspace = await factory.CreateWorkspaceAsync();
        using var answer = await workspace.Http.PostAsync("/api/v1/sources/store/orders",
            new StringContent("""[{"orderId": "bad", "total": "n/a"}]""", Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        Assert.Subset(properties, body.Select(p => p.Key).ToHashSet());
        Assert.Equal("bad", body["errors"]![0]!["orderId"]!.GetValue<string>());
    }

    /// <summary>
    /// Each money input of the canonical order that the contract offers as number-or-text, the optional ones as much as
    /// <c>total</c>, is read from text by the service: a client that sends the text form the contract allows is not refused.
    /// </summary>
    [Fact]
    public async Task OptionalMoneyOfferedAsText_IsReadAsTheAmount()
    {
        var document = await LiveDocumentAsync();
        var properties = document["components"]!["schemas"]!["CanonicalOrderInput"]!["properties"]!;
        string[] money = ["total", "subtotal", "tax", "shipping", "discount", "amountPaid", "amountRefunded"];
        Assert.All(money, field => Assert.Contains(properties[field]!["oneOf"]!.AsArray(), member => member?["type"]?.GetValue<string>() == "string" && member["pattern"] is not null));

        using var workspace = await factory.CreateWorkspaceAsync();
        using var answer = await workspace.Http.PostAsync("/api/v1/sources/store/orders", new StringContent(
            """[{"orderId": "t1", "orderDate": "2026-11-02T10:00:00Z", "currency": "USD", "total": "13.25", "subtotal": "10.00", "tax": "1.50", "shipping": "2", "discount": "0.25", "amountPaid": "13.25", "amountRefunded": "0"}]""",
            Encoding.UTF8, "application/json"));
        var receipt = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        Assert.True(answer.StatusCode == HttpStatusCode.Created, receipt.ToJsonString());
        Assert.Equal(1, receipt["inserted"]!.GetValue<int>());
        using var stored = await workspace.Http.GetAsync("/api/v1/sources/store/orders/t1");
        var order = JsonNode.Parse(await stored.Content.ReadAsStringAsync())!["order"]!;
        Assert.Equal(10.00m, order["subtotal"]!.GetValue<decimal>());
        Assert.Equal(1.50m, order["tax"]!.GetValue<decimal>());
        Assert.Equal(2m, order["shipping"]!.GetValue<decimal>());
        Assert.Equal(0.25m, order["discount"]!.GetValue<decimal>());
        Assert.Equal(13.25m, order["amountPaid"]!.GetValue<decimal>());
        Assert.Equal(0m, order["amountRefunded"]!.GetValue<decimal>());
    }

    /// <summary>The metrics' <c>from</c> and <c>to</c> are days: <c>format: date</c> (a generated client types them as a date and writes yyyy-MM-dd, which the service takes), not free text.</summary>
    [Fact]
    public async Task TheMetricsDays_AreDates()
    {
        var document = await LiveDocumentAsync();
        using var workspace = await factory.CreateWorkspaceAsync();
        foreach (var path in new[] { "/api/v1/metrics/daily", "/api/v1/metrics/causes" })
        {
            var parameters = document["paths"]![path]!["get"]!["parameters"]!.AsArray();
            foreach (var name in new[] { "from", "to" })
            {
                var parameter = parameters.Single(p => p!["name"]!.GetValue<string>() == name)!;
                Assert.Equal("date", parameter["schema"]!["format"]?.GetValue<string>());
            }
            using var answer = await workspace.Http.GetAsync(path + "?from=2026-11-01&to=2026-11-30");
            Assert.True(answer.IsSuccessStatusCode, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task EveryOfferedQueryValue_IsAccepted()
    {
        var document = await LiveDocumentAsync();
        using var workspace = await factory.CreateWorkspaceAsync();
        var tried = 0;
        foreach (var (name, operation) in Operations(document).Where(o => o.Name.StartsWith("GET ", StringComparison.Ordinal) && !o.Name.Contains('{')))
        {
            foreach (var parameter in (operation["parameters"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["in"]?.GetValue<string>() == "query"))
            {
                var schema = parameter["schema"]!;
                // The values are a component schema's (named once for every operation that takes them), in the array's items for a list.
                JsonNode? Resolve(JsonNode? node) => node?["$ref"]?.GetValue<string>() is { } reference
                    ? document["components"]!["schemas"]![reference["#/components/schemas/".Length..]] : node;
                var values = (Resolve(schema)?["enum"] ?? Resolve(schema["items"])?["enum"]) as JsonArray;
                foreach (var value in values?.Select(v => v?.GetValue<string>()).OfType<string>() ?? [])
                {
                    var path = name[4..] + "?" + parameter["name"]!.GetValue<string>() + "=" + Uri.EscapeDataString(value);
                    using var response = await workspace.Http.GetAsync(path);
                    Assert.True((int)response.StatusCode < 400, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    tried++;
                }
            }
        }
        Assert.True(tried >= 20, $"Only {tried} offered values were tried; the walk is broken.");
    }

    /// <summary>
    /// Every list's <c>limit</c> says its bounds (a generated client and the Swagger UI check them before sending), and the
    /// operation holds to them: its maximum is a page, one more is the 400 its example shows.
    /// </summary>
    [Fact]
    public async Task EveryLimit_DocumentsItsBounds_AndTheOperationTakesExactlyThose()
    {
        var document = await LiveDocumentAsync();
        using var workspace = await factory.CreateWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var ids = await EveryOperation.SeedAsync(workspace, receiver.Url, "LIMIT-1");
        var lists = 0;
        foreach (var (name, operation) in Operations(document))
        {
            if ((operation["parameters"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(p => p["in"]?.GetValue<string>() == "query" && p["name"]?.GetValue<string>() == "limit") is not { } limit)
                continue;
            lists++;
            Assert.True(limit["schema"]?["minimum"]?.GetValue<int>() == 1, $"{name}: limit has no minimum 1");
            var max = limit["schema"]?["maximum"]?.GetValue<int>() ?? throw new Xunit.Sdk.XunitException($"{name}: limit has no maximum");
            var url = EveryOperation.Url(name[4..], ids);
            using (var page = await workspace.Http.GetAsync($"{url}?limit={max}"))
                Assert.True(page.IsSuccessStatusCode, $"{name}?limit={max} answered {(int)page.StatusCode}: {await page.Content.ReadAsStringAsync()}");
            using var over = await workspace.Http.GetAsync($"{url}?limit={max + 1}");
            Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
            var said = (await over.Json()).GetProperty("errors").GetProperty("limit")[0].GetString();
            Assert.Equal(operation["responses"]!["400"]!["content"]!["application/problem+json"]!["example"]!["errors"]!["limit"]![0]!.GetValue<string>(), said);
        }
        Assert.True(lists >= 7, $"Only {lists} lists take a limit; the walk is broken.");
    }

    /// <summary>The rules above must be able to fail: each one flags its defect in a hand-made bad document.</summary>
    [Fact]
    public void ContractRules_FlagABadDocument()
    {
        var bad = JsonNode.Parse("""
            {
              "paths": {
                "/things": {
                  "post": {
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object" } } } },
                    "responses": {
                      "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Colour" } } } },
                      "400": { "content": { "application/json": { } } }
                    }
                  }
                }
              },
              "components": { "schemas": { "Colour": { "type": "integer", "enum": [0, 1] } } }
            }
            """)!.AsObject();

        Assert.Equal(["POST /things: no operationId (.WithName)", "POST /things: no summary (.WithSummary)"], IdAndSummaryFailures(bad));
        Assert.Single(ProblemResponseFailures(bad));
        Assert.Single(UnsupportedMediaTypeFailures(bad));
        Assert.Equal(2, ExampleFailures(bad).Count);
        Assert.Equal(3, EnumFailures(bad).Count);
        bad["components"]!["schemas"]!["Colour"] = JsonNode.Parse("""{ "type": "object", "properties": { "shade": { "type": "string", "enum": ["light", "dark"] }, "none": { "type": "string", "enum": [null] } } }""");
        Assert.Equal(["#/components/schemas/Colour/properties/shade: an enum written in place; refer to a component schema so that a generated client has one type for it"], EnumFailures(bad));
        Assert.Empty(SuccessResponseFailures(bad));
        bad["paths"]!["/things"]!["post"]!["responses"]!.AsObject().Remove("200");
        Assert.Single(SuccessResponseFailures(bad));

        var answered = JsonNode.Parse("""
            {
              "paths": {
                "/api/v1/things": {
                  "get": {
                    "parameters": [{ "name": "Limit", "in": "query", "schema": { "type": "integer" } }],
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } } }
                  },
                  "put": { "responses": { "204": { } } }
                }
              },
              "components": { "schemas": { "Thing": { "type": "object", "required": ["id"], "properties": { "id": { "type": "integer" }, "name": { "type": "string" } } } } }
            }
            """)!.AsObject();
        Assert.Single(ParameterNameFailures(answered));
        Assert.Single(RequiredFailures(answered));
        Assert.Single(IdempotencyFailures(answered));
        Assert.Single(ReplayedHeaderFailures(answered));

        var paged = JsonNode.Parse("""
            {
              "paths": {
                "/api/v1/things": {
                  "get": {
                    "parameters": [{ "name": "cursor", "in": "query", "schema": { "type": "integer", "format": "int64" } }],
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ThingPage" } } } } }
                  }
                }
              },
              "components": { "schemas": { "ThingPage": { "type": "object", "properties": { "nextCursor": { "type": "string", "nullable": true } } } } }
            }
            """)!.AsObject();
        Assert.Single(CursorFailures(paged));
        paged["paths"]!["/api/v1/things"]!["get"]!["parameters"]![0]!["schema"] = new JsonObject { ["type"] = "string" };
        Assert.Empty(CursorFailures(paged));
    }

    /// <summary>
    /// Operations whose <c>cursor</c> query parameter has another type than the <c>nextCursor</c> their 200 answer gives:
    /// a client passes the cursor on unchanged (Kiota and NSwag type an int64 cursor as <c>long?</c>, the cursor as <c>string</c>).
    /// </summary>
    static List<string> CursorFailures(JsonObject document)
    {
        var schemas = document["components"]?["schemas"] as JsonObject ?? [];
        var failures = new List<string>();
        foreach (var (name, operation) in Operations(document))
        {
            if ((operation["parameters"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(p => p["in"]?.GetValue<string>() == "query" && p["name"]?.GetValue<string>() == "cursor") is not { } cursor)
                continue;
            var answer = operation["responses"]?["200"]?["content"]?["application/json"]?["schema"];
            if (answer?["$ref"]?.GetValue<string>() is { } reference)
                answer = schemas[reference.Split('/')[^1]];
            var next = answer?["properties"]?["nextCursor"];
            var declared = cursor["schema"]?.ToJsonString();
            if (next is null)
                failures.Add($"{name}: a cursor parameter but no nextCursor in the 200 answer");
            else if (cursor["schema"]?["type"]?.GetValue<string>() != next["type"]?.GetValue<string>() || cursor["schema"]?["format"] is not null)
                failures.Add($"{name}: cursor is {declared} but nextCursor is a {next["type"]}: take the cursor as the string the page gives");
        }
        return failures;
    }

    static List<string> ParameterNameFailures(JsonObject document) =>
        Operations(document)
            .SelectMany(o => (o.Operation["parameters"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(p => p["in"]?.GetValue<string>() == "query" && p["name"]?.GetValue<string>() is { Length: > 0 } n && !char.IsLower(n[0]))
                .Select(p => $"{o.Name}: query parameter '{p["name"]}' is not camelCase (the API reads it case-insensitively; say it as clients should)"))
            .ToList();

    /// <summary>Component schemas a 2xx answer reaches whose required list leaves out a property.</summary>
    static List<string> RequiredFailures(JsonObject document)
    {
        var schemas = document["components"]?["schemas"] as JsonObject ?? [];
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<JsonNode?>(Operations(document).SelectMany(o => Responses(o.Operation).Where(r => r.Status[0] == '2').Select(r => (JsonNode?)r.Response)));
        while (pending.TryPop(out var node))
        {
            Walk(node, "#", (o, _) =>
            {
                if (o["$ref"]?.GetValue<string>() is { } reference && reached.Add(reference.Split('/')[^1]))
                    pending.Push(schemas[reference.Split('/')[^1]]);
            });
        }
        var failures = new List<string>();
        foreach (var id in reached)
        {
            if (schemas[id]?["properties"] is not JsonObject properties)
                continue;
            var required = (schemas[id]!["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()).ToHashSet();
            failures.AddRange(properties.Select(p => p.Key).Where(p => !required.Contains(p))
                .Select(p => $"#/components/schemas/{id}: '{p}' is answered but not required (the API writes every property, nulls too)"));
        }
        return failures;
    }

    /// <summary>Workspace POST/PUT operations (the admin ones pass the idempotency filter by) without the Idempotency-Key header.</summary>
    static List<string> IdempotencyFailures(JsonObject document) =>
        WorkspaceWrites(document)
            .Where(o => !(o.Operation["parameters"] as JsonArray ?? []).Any(p => p?["in"]?.GetValue<string>() == "header" && p["name"]?.GetValue<string>() == "Idempotency-Key"))
            .Select(o => $"{o.Name}: no Idempotency-Key header parameter")
            .ToList();

    /// <summary>Successes of those operations that do not document the header a replayed answer carries (a generated client reads only documented headers).</summary>
    static List<string> ReplayedHeaderFailures(JsonObject document) =>
        WorkspaceWrites(document)
            .SelectMany(o => (o.Operation["responses"] as JsonObject ?? []).Where(r => r.Key.StartsWith('2'))
                .Where(r => r.Value?["headers"]?["Idempotent-Replayed"] is null)
                .Select(r => $"{o.Name} {r.Key}: no Idempotent-Replayed header"))
            .ToList();

    static IEnumerable<(string Name, JsonObject Operation)> WorkspaceWrites(JsonObject document) =>
        Operations(document).Where(o => (o.Name.StartsWith("POST /api/v1/", StringComparison.Ordinal) || o.Name.StartsWith("PUT /api/v1/", StringComparison.Ordinal))
            && !o.Name.Contains("/api/v1/admin/", StringComparison.Ordinal));

    /// <summary>A property schema that admits null: nullable beside a type, or a oneOf member that does.</summary>
    static bool AllowsNull(JsonObject schema) =>
        schema["nullable"]?.GetValue<bool>() == true
        || (schema["oneOf"] as JsonArray ?? []).OfType<JsonObject>().Any(AllowsNull);

    static List<string> IdAndSummaryFailures(JsonObject document)
    {
        var failures = new List<string>();
        foreach (var (name, operation) in Operations(document))
        {
            if (string.IsNullOrWhiteSpace(operation["operationId"]?.GetValue<string>()))
                failures.Add($"{name}: no operationId (.WithName)");
            if (string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()))
                failures.Add($"{name}: no summary (.WithSummary)");
        }
        return failures;
    }

    static List<string> ProblemResponseFailures(JsonObject document) =>
        Operations(document)
            .Where(o => !Responses(o.Operation).Any(r => r.Status[0] is '4' or '5' && r.Response["content"]?["application/problem+json"] is not null))
            .Select(o => $"{o.Name}: no 4xx/5xx response with application/problem+json (.ProducesProblem)")
            .ToList();

    static List<string> UnsupportedMediaTypeFailures(JsonObject document) =>
        Operations(document)
            .Where(o => o.Operation["requestBody"] is not null && !Responses(o.Operation).Any(r => r.Status == "415"))
            .Select(o => $"{o.Name}: a request body but no 415 response")
            .ToList();

    /// <summary>A generated client needs the success type: an operation that documents only errors gives it nothing to read.</summary>
    static List<string> SuccessResponseFailures(JsonObject document) =>
        Operations(document)
            .Where(o => !Responses(o.Operation).Any(r => r.Status[0] == '2'))
            .Select(o => $"{o.Name}: no 2xx response (return a typed result, or .Produces<T>())")
            .ToList();

    static List<string> ExampleFailures(JsonObject document)
    {
        var failures = new List<string>();
        foreach (var (name, operation) in Operations(document))
        {
            if (operation["requestBody"] is JsonObject body)
            {
                var content = body["content"] as JsonObject;
                if (content is null || content.Count == 0)
                    failures.Add($"{name}: request body without content");
                else
                    failures.AddRange(WithoutExample(content).Select(media => $"{name}: request body {media} has no example (.WithExamples(request: …))"));
            }
            foreach (var (status, response) in Responses(operation).Where(r => r.Status[0] == '2'))
            {
                if (response["content"] is JsonObject content)
                    failures.AddRange(WithoutExample(content).Select(media => $"{name}: response {status} {media} has no example (.WithExamples(response: …))"));
            }
        }
        return failures;
    }

    static int CountEnums(JsonObject document)
    {
        var count = 0;
        Walk(document, "#", (node, _) => count += node["enum"] is JsonArray ? 1 : 0);
        return count;
    }

    static List<string> EnumFailures(JsonObject document)
    {
        var failures = new List<string>();
        Walk(document, "#", (node, pointer) =>
        {
            if (node["enum"] is not JsonArray values)
                return;
            var types = node["type"] switch
            {
                JsonValue single => [single.GetValue<string>()],
                JsonArray many => many.Select(t => t!.GetValue<string>()).ToList(),
                _ => new List<string>(),
            };
            if (!types.Contains("string"))
                failures.Add($"{pointer}: enum of type '{string.Join(",", types)}'; put a string converter on the enum");
            foreach (var value in values.Where(v => v is not null && v.GetValueKind() != JsonValueKind.String))
                failures.Add($"{pointer}: enum value {value!.ToJsonString()} is not a string");
            // Kiota and NSwag make a type of every enum written in place (ResolveRequest_action beside ResolveManyRequest_action).
            if (values.Any(v => v is not null) && !NamedSchema().IsMatch(pointer))
                failures.Add($"{pointer}: an enum written in place; refer to a component schema so that a generated client has one type for it");
        });
        return failures;
    }

    [GeneratedRegex("^#/components/schemas/[^/]+$")]
    private static partial Regex NamedSchema();

    static void AssertNone(List<string> failures) =>
        Assert.True(failures.Count == 0, $"{failures.Count} contract rule violation(s):\n" + string.Join('\n', failures));

    async Task<string> LiveDocumentTextAsync()
    {
        // Outside Development (ApiFactory runs as Testing) the document needs a key.
        using var client = factory.CreateAdminClient();
        var response = await client.GetAsync("/swagger/v1/swagger.json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /swagger/v1/swagger.json answered {(int)response.StatusCode}: {text}");
        return text;
    }

    async Task<JsonObject> LiveDocumentAsync() => JsonNode.Parse(await LiveDocumentTextAsync())!.AsObject();

    /// <summary>Pretty-printed with a trailing newline: the form the committed file has.</summary>
    static string Normalize(string json) => JsonNode.Parse(json)!.ToJsonString(Pretty) + "\n";

    static IEnumerable<(string Name, JsonObject Operation)> Operations(JsonObject document)
    {
        var paths = document["paths"]!.AsObject();
        Assert.NotEmpty(paths);
        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (Methods.Contains(method) && operation is JsonObject o)
                    yield return ($"{method.ToUpperInvariant()} {path}", o);
            }
        }
    }

    static IEnumerable<(string Status, JsonObject Response)> Responses(JsonObject operation) =>
        (operation["responses"] as JsonObject ?? []).Select(r => (r.Key, r.Value!.AsObject()));

    /// <summary>Media without an example; file uploads (binary or multipart) cannot carry one inline.</summary>
    static IEnumerable<string> WithoutExample(JsonObject content) =>
        content.Where(m => m.Value is JsonObject media && media["example"] is null && media["examples"] is not JsonObject { Count: > 0 }
                && m.Key != "multipart/form-data" && media["schema"]?["format"]?.GetValue<string>() != "binary")
            .Select(m => m.Key);

    static void Walk(JsonNode? node, string pointer, Action<JsonObject, string> visit)
    {
        switch (node)
        {
            case JsonObject o:
                visit(o, pointer);
                foreach (var (key, child) in o)
                {
                    // Examples are data, not schemas.
                    if (key is not ("example" or "examples"))
                        Walk(child, $"{pointer}/{key.Replace("~", "~0").Replace("/", "~1")}", visit);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    Walk(a[i], $"{pointer}/{i}", visit);
                break;
        }
    }

    static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var left = i < e.Length ? e[i] : "<end of file>";
            var right = i < a.Length ? a[i] : "<end of document>";
            if (left != right)
                return $"First difference at line {i + 1}:\n  committed: {left.Trim()}\n  live:      {right.Trim()}";
        }
        return "";
    }

    /// <summary>The folder holding ReconcileApi.sln, found upwards from the test output.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ReconcileApi.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No ReconcileApi.sln above {AppContext.BaseDirectory}.");
    }
}
