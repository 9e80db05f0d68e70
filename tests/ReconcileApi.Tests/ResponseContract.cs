extern alias JsonSchemaNet;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JsonSchemaNet::Json.Schema;

namespace ReconcileApi.Tests;

/// <summary>
/// Checks a live answer against what the OpenAPI document says the operation answers: the status is documented, the
/// Content-Type is one documented for that status, the body validates against the documented schema (JsonSchema.Net, draft
/// 2020-12, formats asserted; OpenAPI 3.0's <c>nullable</c> turned into a <c>"null"</c> type), headers documented as required
/// are there, and the headers a client reads (Location, ETag, Retry-After) are documented wherever they are sent.
/// </summary>
public sealed partial class ResponseContract
{
    const string ContractId = "https://reconcileapi.test/contract";
    static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    /// <summary>Headers a generated client needs the contract to name, so that it can read them.</summary>
    public static readonly string[] ClientHeaders = ["Location", "ETag", "Retry-After"];

    public sealed record Operation(string Id, string Method, string Template, Regex Pattern, int Literals, JsonObject Node);

    readonly BuildOptions build;
    readonly EvaluationOptions evaluation;
    readonly ConcurrentDictionary<string, JsonSchema> built = new();
    readonly JsonObject components;
    int next;

    public IReadOnlyList<Operation> Operations { get; }

    /// <summary>Each operation id with the statuses answered for it, as checked.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<int, bool>> Exercised { get; } = new();

    public ConcurrentQueue<string> Failures { get; } = new();

    public ResponseContract(JsonObject document)
    {
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                if (!Methods.Contains(method) || node is not JsonObject operation)
                    continue;
                var pattern = new Regex("^" + PathParameter().Replace(Regex.Escape(path).Replace(@"\{", "{"), "[^/]+") + "$");
                operations.Add(new Operation(operation["operationId"]!.GetValue<string>(), method.ToUpperInvariant(), path, pattern,
                    path.Split('/').Count(s => !s.StartsWith('{')), operation));
            }
        }
        Operations = operations;

        components = document["components"]?["schemas"]?.AsObject() ?? [];
        var definitions = new JsonObject();
        foreach (var (name, schema) in components)
            definitions[name] = Convert(schema);
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = ContractId,
            ["$defs"] = definitions,
        };
        build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.Build(JsonSerializer.SerializeToElement(root), build, new Uri(ContractId));
        evaluation = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        // OpenAPI's numeric formats (JSON Schema does not know them): int32 and int64 by range, double and decimal any number.
        evaluation.FormatRegistry.Register(new PredicateFormat("int32", e => e.ValueKind != JsonValueKind.Number || e.TryGetInt32(out _)));
        evaluation.FormatRegistry.Register(new PredicateFormat("int64", e => e.ValueKind != JsonValueKind.Number || e.TryGetInt64(out _)));
        evaluation.FormatRegistry.Register(new PredicateFormat("double", _ => true));
        evaluation.FormatRegistry.Register(new PredicateFormat("decimal", e => e.ValueKind != JsonValueKind.Number || e.TryGetDecimal(out _)));
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();

    /// <summary>The documented operation a request went to: literal segments win over parameters (<c>/discrepancies/resolutions</c>).</summary>
    public Operation? Find(string method, string path) =>
        Operations.Where(o => o.Method == method && o.Pattern.IsMatch(path)).OrderByDescending(o => o.Literals).FirstOrDefault();

    /// <summary>The failures of one answer to <paramref name="method"/> <paramref name="path"/>; recorded in <see cref="Failures"/> too.</summary>
    public List<string> Check(string method, string path, HttpResponseMessage response, string body)
    {
        var failures = new List<string>();
        var status = (int)response.StatusCode;
        var operation = Find(method, path);
        var name = operation?.Id ?? $"{method} {path}";
        void Fail(string message) => failures.Add($"{name} {status}: {message}");

        JsonObject? documented;
        if (operation is null)
        {
            // Not an operation of the contract (a method it does not document): still a problem with the documented shape.
            documented = status >= 400
                ? new JsonObject { ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" } } } }
                : null;
            if (documented is null)
                Fail("answered a success for an operation the contract does not have");
        }
        else
        {
            Exercised.GetOrAdd(operation.Id, _ => new()).TryAdd(status, true);
            var responses = operation.Node["responses"]!.AsObject();
            documented = (responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ?? responses[$"{status / 100}XX"] ?? responses["default"]) as JsonObject;
            if (documented is null)
                Fail($"status not documented (documented: {string.Join(", ", responses.Select(r => r.Key))}); body: {Shorten(body)}");
        }
        if (documented is not null)
        {
            CheckHeaders(documented, response, Fail);
            CheckBody(documented, response, body, method, Fail);
        }
        foreach (var failure in failures)
            Failures.Enqueue(failure);
        return failures;
    }

    void CheckHeaders(JsonObject documented, HttpResponseMessage response, Action<string> fail)
    {
        var headers = documented["headers"] as JsonObject ?? [];
        foreach (var (header, node) in headers)
        {
            var value = Header(response, header);
            if (value is null)
            {
                if (node?["required"]?.GetValue<bool>() == true)
                    fail($"header {header} is documented as always sent but is missing");
                continue;
            }
            var schema = node?["schema"];
            if (schema?["type"]?.GetValue<string>() is "integer" && !long.TryParse(value, out _))
                fail($"header {header} is '{value}', not the documented integer");
        }
        foreach (var header in ClientHeaders)
        {
            if (Header(response, header) is not null && !headers.Any(h => string.Equals(h.Key, header, StringComparison.OrdinalIgnoreCase)))
                fail($"sends {header} but the contract does not document it for this answer");
        }
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    void CheckBody(JsonObject documented, HttpResponseMessage response, string body, string method, Action<string> fail)
    {
        var content = documented["content"] as JsonObject;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (body.Length == 0)
        {
            if (content is { Count: > 0 } && method != "HEAD")
                fail($"no body, but the contract documents {string.Join(", ", content.Select(c => c.Key))}");
            return;
        }
        if (content is null or { Count: 0 })
        {
            fail($"a body ({mediaType}) where the contract documents none: {Shorten(body)}");
            return;
        }
        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            fail($"Content-Type '{mediaType}' is not documented (documented: {string.Join(", ", content.Select(c => c.Key))})");
            return;
        }
        if (media["schema"] is not JsonObject schema)
            return;
        if (!mediaType.Contains("json", StringComparison.Ordinal))
        {
            // Text forms (CSV) are documented as a string: any text is one.
            if (schema["type"]?.GetValue<string>() != "string")
                fail($"{mediaType} is documented with a non-string schema");
            return;
        }
        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            fail($"the body is not JSON ({e.Message}): {Shorten(body)}");
            return;
        }
        foreach (var error in Validate(schema, instance))
            fail(error);
    }

    /// <summary>The schema errors of <paramref name="instance"/> against an OpenAPI schema of the document (or built for a test).</summary>
    public IEnumerable<string> Validate(JsonObject openApiSchema, JsonElement instance)
    {
        var key = openApiSchema.ToJsonString();
        var schema = built.GetOrAdd(key, _ =>
        {
            var converted = (JsonObject)Convert(openApiSchema)!;
            converted["$schema"] = "https://json-schema.org/draft/2020-12/schema";
            var id = new Uri($"https://reconcileapi.test/answer/{Interlocked.Increment(ref next)}");
            converted["$id"] = id.ToString();
            return JsonSchema.Build(JsonSerializer.SerializeToElement(converted), build, id);
        });
        var result = schema.Evaluate(instance, evaluation);
        if (result.IsValid)
            return [];
        var errors = (result.Details ?? []).Prepend(result)
            .Where(d => !d.IsValid && d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .Distinct()
            .ToList();
        return errors.Count > 0 ? errors.Select(e => $"body does not match the schema at {e}; body: {Shorten(instance.GetRawText())}")
            : [$"body does not match the schema; body: {Shorten(instance.GetRawText())}"];
    }

    /// <summary>
    /// An OpenAPI 3.0 schema as JSON Schema 2020-12: <c>nullable: true</c> beside a type adds <c>"null"</c> to it (without a
    /// type it means nothing, OpenAPI 3.0.3), references point into the contract's <c>$defs</c>, and what is no schema
    /// keyword (examples, xml, discriminator) goes.
    /// </summary>
    static JsonNode? Convert(JsonNode? node)
    {
        if (node is not JsonObject o)
            return node?.DeepClone();
        var result = new JsonObject();
        foreach (var (key, value) in o)
        {
            switch (key)
            {
                case "example" or "examples" or "xml" or "discriminator" or "externalDocs" or "nullable":
                    break;
                case "$ref":
                    result["$ref"] = ContractId + "#/$defs/" + value!.GetValue<string>().Split('/')[^1];
                    break;
                case "properties" or "patternProperties":
                    result[key] = new JsonObject(value!.AsObject().Select(p => KeyValuePair.Create(p.Key, Convert(p.Value))));
                    break;
                case "items" or "additionalProperties" or "not":
                    result[key] = Convert(value);
                    break;
                case "allOf" or "anyOf" or "oneOf":
                    result[key] = new JsonArray(value!.AsArray().Select(Convert).ToArray());
                    break;
                default:
                    result[key] = value?.DeepClone();
                    break;
            }
        }
        if (o["nullable"]?.GetValue<bool>() == true && result["type"] is JsonValue type)
            result["type"] = new JsonArray(type.GetValue<string>(), "null");
        return result;
    }

    static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";

    /// <summary>A handler that checks every answer its client receives (the body stays readable for the test).</summary>
    public DelegatingHandler Handler(HttpMessageHandler? inner = null) => inner is null ? new Checking(this) : new Checking(this) { InnerHandler = inner };

    sealed class Checking(ResponseContract contract) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var path = request.RequestUri!.AbsolutePath;
            if (path.StartsWith("/api/", StringComparison.Ordinal))
                contract.Check(request.Method.Method, path, response, body);
            return response;
        }
    }
}
