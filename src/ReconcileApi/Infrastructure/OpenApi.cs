using Microsoft.AspNetCore.Authentication;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Example request and response bodies of one operation, shown in the contract and the Swagger UI;
/// <see cref="Csv"/>, when set, also documents a text/csv form of the 200 response with that example.
/// </summary>
public sealed record ExamplesMetadata(object? Request, object? Response, string? Csv = null);

public static partial class OpenApi
{
    public const string DocumentName = "v1";

    /// <summary>A string parameter an endpoint reads in its own binder, where ApiExplorer cannot see it (required in the path, optional elsewhere).</summary>
    public sealed record BinderParameter(string Name, ParameterLocation In);

    /// <summary>
    /// The values a text parameter takes, shown as an enum (a dropdown in the Swagger UI) on every operation of the
    /// endpoint or group that has a parameter of that name; <see cref="List"/> when it takes several, comma-separated.
    /// The enum is a component schema the parameter refers to — the wire enum <see cref="Enum"/>'s own (as bodies use it),
    /// else one named <see cref="Schema"/> — so that a generated client has one named type for it, not one per operation.
    /// </summary>
    public sealed record ParameterValues(string Name, string Schema, IReadOnlyList<string> Values, bool List = false, Type? Enum = null);

    /// <summary>A parameter that takes the values of a wire enum (<see cref="WireEnum"/>), for <c>WithMetadata</c>.</summary>
    public static ParameterValues EnumParameter<TEnum>(string name, bool list = false) where TEnum : struct, Enum =>
        new(name, typeof(TEnum).Name, WireEnum.Values<TEnum>(), list, typeof(TEnum));

    /// <summary>A parameter that takes <paramref name="values"/>, described once as the component schema <paramref name="schema"/>.</summary>
    public static TBuilder WithParameterValues<TBuilder>(this TBuilder builder, string name, string schema, IEnumerable<string> values, bool list = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ParameterValues(name, schema, values.ToList(), list));

    /// <summary>
    /// A header an answer of <see cref="Status"/> carries, documented there so that a generated client can read it;
    /// <see cref="Always"/> when every such answer has it (OpenAPI's <c>required</c>).
    /// </summary>
    public sealed record ResponseHeader(int Status, string Name, string Description, bool Always = true, bool Integer = false);

    public static TBuilder WithResponseHeader<TBuilder>(this TBuilder builder, int status, string name, string description, bool always = true, bool integer = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseHeader(status, name, description, always, integer));

    /// <summary>The ETag of a versioned resource's 200; <paramref name="always"/> false on a write, whose replayed answer (Idempotency-Key) has none.</summary>
    public static RouteHandlerBuilder WithETag(this RouteHandlerBuilder builder, string what, bool always = true) =>
        builder.WithResponseHeader(StatusCodes.Status200OK, "ETag",
            $"The version of {what} (a quoted number): send it as If-Match to change it only if nobody else did since." +
            (always ? "" : " Absent on an answer replayed for an Idempotency-Key (Idempotent-Replayed: true): read the resource again for it."),
            always);

    /// <summary>The most a list's <c>limit</c> takes (<see cref="Paging.CheckLimit"/>): the parameter's <c>minimum</c> 1 and <c>maximum</c>, and its 400 example.</summary>
    public sealed record LimitRange(int Max);

    public static RouteHandlerBuilder WithLimit(this RouteHandlerBuilder builder, int max) => builder.WithMetadata(new LimitRange(max));

    /// <summary>Query parameters that take a day (<c>yyyy-MM-dd</c>): <c>format: date</c>, so a generated client types and writes them as a date, not free text.</summary>
    public sealed record DayParameters(IReadOnlyList<string> Names);

    public static RouteHandlerBuilder WithDayParameters(this RouteHandlerBuilder builder, params string[] names) => builder.WithMetadata(new DayParameters(names));

    /// <summary>What the operations of a tag do together: the tag's description in the contract (<see cref="Api.MapApiGroup"/>).</summary>
    public sealed record TagDescription(string Tag, string Description);

    /// <summary>The <c>detail</c> a problem of <see cref="Status"/> has on this operation, for its example (the others take a generic one).</summary>
    public sealed record ProblemExampleDetail(int Status, string Detail);

    /// <summary>A problem answer of <paramref name="status"/>, its example saying what <paramref name="detail"/> says: the handler's own sentence.</summary>
    public static RouteHandlerBuilder ProducesProblemSaying(this RouteHandlerBuilder builder, int status, string detail) =>
        builder.ProducesProblem(status).WithMetadata(new ProblemExampleDetail(status, detail));

    public static RouteHandlerBuilder WithExamples(this RouteHandlerBuilder builder, object? request = null, object? response = null, string? csv = null) =>
        builder.WithMetadata(new ExamplesMetadata(request, response, csv));

    public static IServiceCollection AddOpenApiDocs(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "ReconcileApi",
                Version = "v1",
                Description = "Finds and tracks the differences between the orders a store recorded and the orders Keap recorded. " +
                    "Authenticate with an API key as `X-Api-Key`, `Authorization: Bearer <key>`, or Basic auth with the key as user name (or as password with an empty user name).",
            });
            o.AddSecurityDefinition("apiKey", new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key" });
            o.AddSecurityDefinition("bearer", new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" });
            o.AddSecurityDefinition("basic", new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "basic" });
            // One requirement per scheme: alternatives, so any one of them authenticates (and the Swagger UI sends whichever is filled).
            foreach (var scheme in new[] { "apiKey", "bearer", "basic" })
                o.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] });
            o.AddServer(new OpenApiServer { Url = "/", Description = "This service" });
            o.SupportNonNullableReferenceTypes();
            // Money and quantities are C# decimals: format "decimal" (not Swashbuckle's "double") makes Kiota and NSwag type
            // them decimal, exact as the API holds them, where a double rounds the 4-place values near the 1e12 limit.
            o.MapType<decimal>(() => new OpenApiSchema { Type = JsonSchemaType.Number, Format = "decimal" });
            o.MapType<decimal?>(() => new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Format = "decimal" });
            o.SchemaFilter<NullableFromAnnotations>();
            o.SchemaFilter<ValuesFromDeclarations>();
            o.DocumentFilter<RequestAndResponseForms>();
            o.DocumentFilter<EnumCollectionsAsText>();
            o.DocumentFilter<TagDescriptions>();
            // Field descriptions (the canonical order's among them) from the XML comments of both assemblies.
            foreach (var assembly in new[] { typeof(OpenApi).Assembly, typeof(Engine.CanonicalOrder).Assembly })
                o.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".xml"));
            o.OperationFilter<OperationConventions>();
            o.OperationFilter<ParameterConventions>();
        });
        return services;
    }

    /// <summary>The contract and the Swagger UI; unless <c>Swagger:Public</c>, only for a caller with a valid key (Basic auth in a browser).</summary>
    public static WebApplication UseOpenApiDocs(this WebApplication app, bool isPublic)
    {
        if (!isPublic)
            app.UseKeyChallenge("/swagger");
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "ReconcileApi v1");
            o.DocumentTitle = "ReconcileApi";
            // The key typed into Authorize survives a reload of the page.
            o.EnablePersistAuthorization();
        });
        return app;
    }

    /// <summary>Each tag of the document with the description its feature's group gave (<see cref="TagDescription"/>).</summary>
    sealed class TagDescriptions : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            var described = context.ApiDescriptions
                .SelectMany(d => d.ActionDescriptor.EndpointMetadata.OfType<TagDescription>())
                .DistinctBy(t => t.Tag)
                .ToDictionary(t => t.Tag, t => t.Description);
            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                if (tag.Name is { } name && described.TryGetValue(name, out var description))
                    tag.Description = description;
        }
    }

    /// <summary>A route parameter's constraint (<c>:guid</c> in <c>{id:guid}</c>), up to its closing brace.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@":[^}]+\}")]
    private static partial System.Text.RegularExpressions.Regex RouteConstraint();

    /// <summary>operationId from the endpoint name; examples from <see cref="ExamplesMetadata"/>; a problem example on every error response.</summary>
    sealed class OperationConventions(IOptions<JsonOptions> json) : IOperationFilter
    {
        JsonSerializerOptions Json => json.Value.SerializerOptions;

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            foreach (var parameter in metadata.OfType<BinderParameter>())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = parameter.Name,
                    In = parameter.In,
                    Required = parameter.In == ParameterLocation.Path,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            DescribeFileBodies(operation);
            if (metadata.OfType<ExamplesMetadata>().LastOrDefault() is { Csv: { } csv }
                && operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse okResponse)
            {
                okResponse.Content ??= new Dictionary<string, IOpenApiMediaType>();
                okResponse.Content["text/csv"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The same rows as CSV (?format=csv or Accept: text/csv)." },
                    Example = JsonValue.Create(csv),
                };
            }
            if (metadata.OfType<ExamplesMetadata>().LastOrDefault() is { } examples)
            {
                if (examples.Request is not null && operation.RequestBody?.Content is { } requestContent)
                {
                    foreach (var (mediaType, media) in requestContent)
                    {
                        if (mediaType.Contains("json") && media is OpenApiMediaType m)
                            m.Example = JsonSerializer.SerializeToNode(examples.Request, Json);
                    }
                }
                if (examples.Response is not null && operation.Responses is { } responses)
                {
                    foreach (var (status, response) in responses)
                    {
                        if (status.StartsWith('2') && response.Content is { } content)
                        {
                            // The JSON forms only: a text/csv answer keeps its CSV example.
                            foreach (var media in content.Where(c => c.Key.Contains("json")).Select(c => c.Value).OfType<OpenApiMediaType>())
                                media.Example = JsonSerializer.SerializeToNode(examples.Response, Json);
                        }
                    }
                }
            }
            DescribeRequestFaults(operation, context, metadata);
            DescribeHeaders(operation, context, metadata);
            // Every body is checked before it is read (its content type, coding and charset: BodyEncoding, the binder).
            if (operation.RequestBody is not null && operation.Responses is { } declared && !declared.ContainsKey("415")
                && declared.TryGetValue("401", out var unauthorized) && unauthorized is OpenApiResponse { Content: { } problemContent })
            {
                declared["415"] = new OpenApiResponse
                {
                    Description = "Unsupported Media Type",
                    Content = problemContent.ToDictionary(c => c.Key, c => (IOpenApiMediaType)new OpenApiMediaType { Schema = c.Value.Schema }),
                };
            }
            if (operation.Responses is { } all)
            {
                foreach (var (status, response) in all)
                {
                    if (status[0] is '4' or '5' && response.Content is { } content)
                    {
                        foreach (var media in content.Values.OfType<OpenApiMediaType>())
                        {
                            media.Example ??= ProblemExample(int.Parse(status),
                                ETags.Versioned(metadata) ? null : $"{context.ApiDescription.HttpMethod} /{RouteConstraint().Replace(context.ApiDescription.RelativePath ?? "", "}")}");
                            var own = metadata.OfType<ProblemExampleDetail>().LastOrDefault(e => e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) == status)?.Detail
                                ?? (status == "404" ? NotFoundDetail(context.ApiDescription.RelativePath ?? "") : null);
                            if (own is not null && media.Example is JsonObject withDetail)
                                withDetail["detail"] = own;
                            // The generic 400 names `limit`; an operation without it shows a body that is not JSON, or else a query
                            // parameter it does not read (KnownQuery), as it would answer them.
                            var query = operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!)).ToList() ?? [];
                            if (status == "400" && query.Contains("limit") && metadata.OfType<LimitRange>().LastOrDefault() is { } range
                                && media.Example is JsonObject { } paged && paged["errors"] is JsonObject { } limitErrors)
                                limitErrors["limit"] = new JsonArray(Paging.LimitOutOfRange(range.Max));
                            if (status == "400" && !query.Contains("limit") && media.Example is JsonObject { } unknown && unknown["errors"] is JsonObject { } errors && errors.Remove("limit"))
                            {
                                if (operation.RequestBody is not null)
                                    errors[BindingFailures.BodyField] = new JsonArray(BodyNotJson);
                                else
                                    errors["expand"] = new JsonArray(KnownQuery.NotRead(query));
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The answers every request of a kind can get whatever its handler does: a body that does not read as JSON (400, a
        /// validation problem whose <c>errors</c> name the <c>body</c>) or is over the size limit (413); and, where the idempotency filter honours
        /// Idempotency-Key, a key over 255 characters (400), a key used with another request (422) and a key whose first
        /// request is still in progress (409).
        /// </summary>
        static void DescribeRequestFaults(OpenApiOperation operation, OperationFilterContext context, IList<object> metadata)
        {
            if (operation.Responses is not { } responses)
                return;
            var honoured = metadata.OfType<Idempotency.Honoured>().Any() && Idempotency.Honours(context.ApiDescription.HttpMethod ?? "");
            if (operation.RequestBody is not null || honoured)
            {
                var example = ProblemExample(StatusCodes.Status400BadRequest);
                example["errors"] = operation.RequestBody is not null
                    ? new JsonObject { [BindingFailures.BodyField] = new JsonArray(BodyNotJson) }
                    : new JsonObject { [Idempotency.Header] = new JsonArray("Must be at most 255 characters.") };
                AddProblem(responses, StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), context, example);
            }
            if (operation.RequestBody is not null)
            {
                // Kestrel refuses a body over Limits:MaxRequestBodyBytes while it is read (BindingFailures).
                var tooLarge = ProblemExample(StatusCodes.Status413PayloadTooLarge);
                tooLarge["detail"] = "The body is over the request body limit (Limits:MaxRequestBodyBytes).";
                AddProblem(responses, StatusCodes.Status413PayloadTooLarge, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context, tooLarge);
            }
            if (honoured)
            {
                AddProblem(responses, StatusCodes.Status409Conflict, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context, ProblemExample(StatusCodes.Status409Conflict));
                AddProblem(responses, StatusCodes.Status422UnprocessableEntity, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context, ProblemExample(StatusCodes.Status422UnprocessableEntity));
            }
        }

        static void AddProblem(OpenApiResponses responses, int status, Type type, OperationFilterContext context, JsonNode example)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (responses.ContainsKey(key))
                return;
            responses[key] = new OpenApiResponse
            {
                Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    ["application/problem+json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(type, context.SchemaRepository), Example = example },
                },
            };
        }

        /// <summary>
        /// The headers a client reads, on the answers that carry them: <see cref="ResponseHeader"/> metadata, Location on
        /// every 201 and 202 (each names what it created or started, <c>TypedResults.Created/Accepted</c> with its URL), and
        /// <c>Idempotent-Replayed</c> on the successes of an operation that honours Idempotency-Key (only a replay has it).
        /// </summary>
        static void DescribeHeaders(OpenApiOperation operation, OperationFilterContext context, IList<object> metadata)
        {
            if (operation.Responses is not { } responses)
                return;
            var headers = metadata.OfType<ResponseHeader>().ToList();
            foreach (var status in responses.Keys.Where(k => k is "201" or "202"))
            {
                headers.Add(new ResponseHeader(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), "Location",
                    status == "201" ? "Where the created resource is read." : "Where to poll what was started."));
            }
            if (metadata.OfType<Idempotency.Honoured>().Any() && Idempotency.Honours(context.ApiDescription.HttpMethod ?? ""))
            {
                foreach (var status in responses.Keys.Where(k => k.StartsWith('2')))
                {
                    headers.Add(new ResponseHeader(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Idempotency.ReplayedHeader,
                        "`true` when this is the first answer to an earlier request with the same Idempotency-Key, replayed; absent otherwise.", Always: false));
                }
            }
            foreach (var header in headers)
            {
                if (!responses.TryGetValue(header.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var found) || found is not OpenApiResponse response)
                    continue;
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers[header.Name] = new OpenApiHeader
                {
                    Description = header.Description,
                    Required = header.Always,
                    Schema = new OpenApiSchema { Type = header.Integer ? JsonSchemaType.Integer : JsonSchemaType.String, Format = header.Integer ? "int32" : null },
                };
            }
        }

        const string BodyNotJson = "Is not valid JSON at line 1, position 16: Expected depth to be zero at the end of the JSON payload.";

        const string CsvExample =
            "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Id\n" +
            "#1001,bob@example.com,paid,USD,598.94,2026-10-01 12:00:00 -0500,2,Tee,280.00,TEE-BLK-M,450789469\n";

        /// <summary>CSV, workbook and form bodies carry files, not the JSON schema, so the Swagger UI offers an upload.</summary>
        static void DescribeFileBodies(OpenApiOperation operation)
        {
            if (operation.RequestBody?.Content is not { } content)
                return;
            foreach (var (mediaType, media) in content)
            {
                if (media is not OpenApiMediaType m || mediaType.Contains("json"))
                    continue;
                m.Schema = mediaType == "multipart/form-data"
                    ? new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "file" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "A CSV export or an .xlsx workbook (first sheet)." },
                        },
                    }
                    : mediaType == "text/plain"
                        ? new OpenApiSchema { Type = JsonSchemaType.String, Description = "CSV with a header row, labelled text/plain by some tools: read only with a table ?format= (csv, shopify-csv, keap-csv); without one, 415." }
                    : mediaType.StartsWith("text/") || mediaType == "application/csv"
                        ? new OpenApiSchema { Type = JsonSchemaType.String, Description = "CSV with a header row." }
                        : new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                m.Example = m.Schema.Format is null && m.Schema.Type == JsonSchemaType.String ? JsonValue.Create(CsvExample) : null;
            }
        }

        /// <summary>
        /// What a 404 of the operation at <paramref name="path"/> says: the resource its last path parameter names, in the words
        /// of <see cref="Problems.NotFound"/>. A path whose resource is not listed here fails the document (add it).
        /// </summary>
        static string NotFoundDetail(string path)
        {
            var segments = path.Split('/');
            var last = Array.FindLastIndex(segments, s => s.StartsWith('{'));
            if (last < 1)
                throw new InvalidOperationException($"{path}: a 404 without a path parameter; give the operation its own example (ProducesProblemSaying).");
            var (what, id, inWorkspace) = segments[last - 1] switch
            {
                "runs" => ("Run", (object)Features.Examples.RunId, true),
                "discrepancies" => ("Discrepancy", 1042L, true),
                "schedules" => ("Schedule", ExampleId, true),
                "webhooks" => ("Webhook", ExampleId, true),
                "deliveries" => ("Delivery", ExampleId, true),
                "alerts" => ("Alert", 17L, true),
                "batches" => ("Batch", ExampleId, true),
                "orders" => ("Order", "450789469", true),
                "sources" => ("Source", "billing", true),
                "workspaces" => ("Workspace", ExampleId, false),
                "keys" => ("API key", ExampleId, false),
                var other => throw new InvalidOperationException($"{path}: no 404 example for '{other}'; add it here."),
            };
            return Problems.NotFound(what, id, inWorkspace).ProblemDetails.Detail!;
        }

        static readonly Guid ExampleId = new("0193f0c4-2b6e-7c01-8d2f-5a6b7c8d9e0f");

        /// <summary>A problem example for <paramref name="status"/>; <paramref name="unversioned"/> names a write without versions, whose 412 says so.</summary>
        static JsonObject ProblemExample(int status, string? unversioned = null)
        {
            var problem = new JsonObject
            {
                ["type"] = $"https://tools.ietf.org/html/rfc9110#section-15.{(status >= 500 ? 6 : 5)}.{(status >= 500 ? status - 499 : status - 399)}",
                ["title"] = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                ["status"] = status,
                ["detail"] = status == StatusCodes.Status412PreconditionFailed && unversioned is not null
                    ? $"{unversioned} has no versions, so If-Match \"3\" names none of its ETags and nothing was changed; send it without If-Match (or with If-Match: *)."
                    : ProblemDetail(status),
                ["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            };
            // A validation problem always carries its errors (a 400 documented as a plain problem may too).
            if (status == StatusCodes.Status400BadRequest)
                problem["errors"] = new JsonObject { ["limit"] = new JsonArray("Must be between 1 and 500.") };
            return problem;
        }

        static string ProblemDetail(int status) => status switch
        {
            400 => Problems.FieldsInvalid,
            401 => "An API key is required: send it as X-Api-Key, Authorization: Bearer, or Basic auth with the key as user name (or as password with an empty user name).",
            403 => "This key may not call this endpoint.",
            404 => "Run '0193f0c2-7d4e-7a10-9c55-3c1f0b6f2a11' was not found in this workspace.",
            408 => Problems.BodyTooSlow,
            409 => Idempotency.InProgress("k-1"),
            412 => "The discrepancy changed since you read it (ETag \"3\"); read it again.",
            413 => "The body is 41943040 bytes; the limit is 31457280 bytes.",
            415 => "Content-Type 'text/plain' is not supported; send application/json.",
            422 => "The Idempotency-Key was used with another body.",
            429 => "More than 600 requests a minute with this key (or from this address without a valid key); retry after 12 s.",
            503 => Problems.DatabaseBusy,
            _ => "An unexpected error occurred. Quote the traceId when reporting it.",
        };
    }

    /// <summary>
    /// Parameters as the API reads them: query names in camelCase (an <c>[AsParameters]</c> record binds them without
    /// regard to case, but ApiExplorer names them after its C# properties), the values declared with
    /// <see cref="ParameterValues"/> as enums, and <c>Idempotency-Key</c> on every POST and PUT the idempotency filter honours.
    /// </summary>
    sealed class ParameterConventions : IOperationFilter
    {
        /// <summary>
        /// A reference to the component schema of <paramref name="values"/>: the wire enum's own (made as a body's would be),
        /// or the named one, made by the first operation that names it. Either must hold exactly the values the endpoint
        /// reads: a mismatch fails the document, not a client.
        /// </summary>
        static IOpenApiSchema Choices(ParameterValues values, ISchemaGenerator generator, SchemaRepository repository)
        {
            if (values.Enum is null)
                return NamedValues(values.Schema, values.Values, repository);
            var reference = generator.GenerateSchema(values.Enum, repository);
            var id = (reference as OpenApiSchemaReference)?.Reference.Id;
            var declared = id is not null && repository.Schemas.TryGetValue(id, out var target) ? (target as OpenApiSchema)?.Enum?.Select(v => v?.GetValue<string>()) : null;
            if (id != values.Schema || declared is null || !declared.SequenceEqual(values.Values))
                throw new InvalidOperationException($"Parameter '{values.Name}': schema '{id}' does not hold the values {string.Join(", ", values.Values)}.");
            return reference;
        }

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.In == ParameterLocation.Query && parameter.Name is { Length: > 0 } name && char.IsUpper(name[0]))
                    parameter.Name = JsonNamingPolicy.CamelCase.ConvertName(name);
                if (parameter is { In: ParameterLocation.Query, Name: "limit", Schema: OpenApiSchema limit } && metadata.OfType<LimitRange>().LastOrDefault() is { } range)
                    (limit.Minimum, limit.Maximum) = ("1", range.Max.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (parameter is { In: ParameterLocation.Query, Schema: OpenApiSchema { Format: null } day } && metadata.OfType<DayParameters>().Any(d => d.Names.Contains(parameter.Name))
                    && day.Type is { } dayType && (dayType & ~JsonSchemaType.Null) == JsonSchemaType.String)
                {
                    day.Format = "date";
                    parameter.Description ??= "A day (yyyy-MM-dd) in the workspace's timezone; an instant with a time (2026-11-01T10:00:00Z) is read as its day there.";
                }
                var values = metadata.OfType<ParameterValues>().LastOrDefault(v => string.Equals(v.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                // A parameter typed as an enum already says its values.
                if (values is null || parameter.Schema is not OpenApiSchema { Enum: null or { Count: 0 }, Type: { } type } || (type & ~JsonSchemaType.Null) != JsonSchemaType.String)
                    continue;
                var choices = Choices(values, context.SchemaGenerator, context.SchemaRepository);
                parameter.Schema = values.List ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = choices } : choices;
                if (values.List)
                {
                    // ?severity=high,critical — one comma-separated value (repeating the parameter works too).
                    parameter.Style = ParameterStyle.Form;
                    parameter.Explode = false;
                }
            }
            if (operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.In == ParameterLocation.Header && p.Name == "If-Match") is { Description: null } ifMatch)
                ifMatch.Description = "The ETag you read the resource with: 412 when it changed since (the change is not applied). Without it the change applies whatever the version.";
            if (operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.In == ParameterLocation.Header && p.Name == ETags.IfNoneMatchHeader) is { Description: null } ifNoneMatch)
                ifNoneMatch.Description = "ETags the change must not be applied over: 412 when the resource is one of them now, and always with * (it exists). Without it the change applies whatever the version.";
            if (metadata.OfType<Idempotency.Honoured>().Any() && Idempotency.Honours(context.ApiDescription.HttpMethod ?? "")
                && operation.Parameters?.Any(p => string.Equals(p.Name, Idempotency.Header, StringComparison.OrdinalIgnoreCase)) != true)
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = Idempotency.Header,
                    In = ParameterLocation.Header,
                    Description = "Makes a retry safe: the same key with the same request replays the first answer (`Idempotent-Replayed: true`) " +
                        "for Retention:IdempotencyHours (24 by default); with another request it is 422, while the first is still in progress 409.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                });
            }
        }
    }
}
