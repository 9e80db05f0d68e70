using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// What a generated client needs to trust the schemas: which properties can be null (from the C# nullable
/// annotations), which are always there, and — where a type is both sent and answered — the form each
/// direction has (requests: only what a caller must send, money as a number or a decimal string).
/// </summary>
public static partial class OpenApi
{
    /// <summary>The canonical decimal string; request bodies take money as a number or as this (the readers are lenient beyond it).</summary>
    public const string DecimalPattern = "^-?[0-9]+(\\.[0-9]+)?$";

    /// <summary>The name a request-side copy of a schema gets when its request form differs from what the API answers.</summary>
    public const string InputSuffix = "Input";

    /// <summary>A property as System.Text.Json reads and writes it, with what its C# declaration says.</summary>
    sealed record WireProperty(string Name, bool Nullable, bool AlwaysWritten, bool RequiredInRequests, bool IsDecimal, ValuesOfAttribute? Values);

    /// <summary>
    /// The values a text property takes, read from a static <c>IEnumerable&lt;string&gt;</c> property of
    /// <paramref name="source"/> (so the list the code checks against is the one the contract shows): the component
    /// schema <paramref name="schema"/>, a string enum, which every property declaring it refers to — one type in a
    /// generated client, not one per request type.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class ValuesOfAttribute(Type source, string property, string schema) : Attribute
    {
        public string Schema => schema;

        public IReadOnlyList<string> Values =>
            (source.GetProperty(property, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IEnumerable<string>)?.ToList()
            ?? throw new InvalidOperationException($"{source.Name}.{property} is not a public static IEnumerable<string>.");
    }

    /// <summary>The properties of an object type under the API's JSON options; empty for anything that is not an object.</summary>
    static IReadOnlyList<WireProperty> WireProperties(Type type, JsonSerializerOptions json)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string))
            return [];
        var info = json.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object)
            return [];
        // NullabilityInfoContext caches per instance and is not thread-safe: one per type.
        var nullability = new NullabilityInfoContext();
        var writesNulls = json.DefaultIgnoreCondition == JsonIgnoreCondition.Never;
        var result = new List<WireProperty>();
        foreach (var p in info.Properties)
        {
            var (nullable, memberType) = p.AttributeProvider switch
            {
                PropertyInfo property => (nullability.Create(property).ReadState != NullabilityState.NotNull, property.PropertyType),
                FieldInfo field => (nullability.Create(field).ReadState != NullabilityState.NotNull, field.FieldType),
                _ => (true, p.PropertyType),
            };
            var ignoredWhen = (p.AttributeProvider as MemberInfo)?.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition;
            var alwaysWritten = p.Get is not null && p.ShouldSerialize is null && ignoredWhen is null or JsonIgnoreCondition.Never
                && (writesNulls || !nullable);
            // A record's positional parameter: required from a caller unless it has a default or may be null.
            var requiredInRequests = p.IsRequired
                || p.AssociatedParameter is { HasDefaultValue: false, AttributeProvider: ParameterInfo parameter }
                    && nullability.Create(parameter).WriteState == NullabilityState.NotNull;
            var underlying = System.Nullable.GetUnderlyingType(memberType) ?? memberType;
            var values = (p.AttributeProvider as MemberInfo)?.GetCustomAttribute<ValuesOfAttribute>();
            result.Add(new WireProperty(p.Name, nullable, alwaysWritten, requiredInRequests, underlying == typeof(decimal), values));
        }
        return result;
    }

    /// <summary>The type each component schema of a document was generated from (filled by <see cref="NullableFromAnnotations"/>).</summary>
    static readonly ConditionalWeakTable<SchemaRepository, Dictionary<string, Type>> SchemaTypes = new();

    /// <summary>
    /// Marks each property nullable exactly when its C# declaration is (<see cref="NullabilityInfoContext"/> on the
    /// property a record's parameter declares): <c>nullable: true</c> beside its type, and for a referenced object or
    /// enum <c>oneOf: [$ref, NullOnly]</c> — OpenAPI 3.0 lets <c>nullable</c> act only beside a <c>type</c>, so
    /// Swashbuckle's <c>allOf: [$ref]</c> + <c>nullable</c> is refused by Spectral and Redocly.
    /// </summary>
    public sealed class NullableFromAnnotations(IOptions<JsonOptions> json) : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema { Properties.Count: > 0 } target || context.Type is null)
                return;
            if (context.SchemaRepository.TryLookupByType(context.Type, out var reference) && reference.Reference.Id is { } id)
            {
                var types = SchemaTypes.GetOrCreateValue(context.SchemaRepository);
                lock (types)
                    types[id] = context.Type;
            }
            foreach (var property in WireProperties(context.Type, json.Value.SerializerOptions))
            {
                if (target.Properties.TryGetValue(property.Name, out var current))
                    target.Properties[property.Name] = WithNullable(current, property.Nullable);
            }
        }
    }

    /// <summary>A text property declared with <see cref="ValuesOfAttribute"/> refers to the named enum of those values.</summary>
    public sealed class ValuesFromDeclarations(IOptions<JsonOptions> json) : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema { Properties.Count: > 0 } target || context.Type is null)
                return;
            foreach (var property in WireProperties(context.Type, json.Value.SerializerOptions))
            {
                if (property.Values is { } values && target.Properties.TryGetValue(property.Name, out var current) && current is OpenApiSchema text
                    && text.Type is { } type && (type & ~JsonSchemaType.Null) == JsonSchemaType.String)
                    target.Properties[property.Name] = WithNullable(NamedValues(values.Schema, values.Values, context.SchemaRepository), type.HasFlag(JsonSchemaType.Null));
            }
        }
    }

    /// <summary>
    /// A reference to the component schema <paramref name="name"/>, a string enum of <paramref name="values"/>, made by the
    /// first property or parameter that names it; a schema of that name holding other values fails the document, not a client.
    /// </summary>
    static OpenApiSchemaReference NamedValues(string name, IReadOnlyList<string> values, SchemaRepository repository)
    {
        if (!repository.Schemas.TryGetValue(name, out var existing))
            return repository.AddDefinition(name, new OpenApiSchema { Type = JsonSchemaType.String, Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList() });
        if ((existing as OpenApiSchema)?.Enum?.Select(v => v?.GetValue<string>()).SequenceEqual(values) != true)
            throw new InvalidOperationException($"Schema '{name}' does not hold the values {string.Join(", ", values)}.");
        return new OpenApiSchemaReference(name);
    }

    /// <summary>The member of a <c>oneOf</c> that admits null and nothing else, in a form OpenAPI 3.0 accepts (a type beside <c>nullable</c>).</summary>
    static OpenApiSchema NullOnly() => new() { Type = JsonSchemaType.String | JsonSchemaType.Null, Enum = [null!] };

    static bool IsNullOnly(IOpenApiSchema schema) => schema is OpenApiSchema { Enum: [null] };

    static IOpenApiSchema WithNullable(IOpenApiSchema schema, bool nullable)
    {
        switch (schema)
        {
            case OpenApiSchemaReference reference:
                return nullable ? new OpenApiSchema { OneOf = [reference, NullOnly()] } : reference;
            case OpenApiSchema { AllOf: [OpenApiSchemaReference only] } wrapped when wrapped.Properties is null or { Count: 0 }:
                // Swashbuckle's nullable reference (allOf + nullable without a type).
                return WithNullable(only, nullable);
            case OpenApiSchema { OneOf: [OpenApiSchemaReference only, var other] } when IsNullOnly(other):
                return WithNullable(only, nullable);
            case OpenApiSchema concrete when concrete.Type is { } type && type != JsonSchemaType.Null:
                concrete.Type = nullable ? type | JsonSchemaType.Null : type & ~JsonSchemaType.Null;
                if (concrete.Enum is { Count: > 0 } values && nullable != values.Contains(null!))
                {
                    if (nullable)
                        values.Add(null!);
                    else
                        values.Remove(null!);
                }
                return concrete;
            default:
                // No type at all (a JsonElement): any value, null included.
                return schema;
        }
    }

    /// <summary>
    /// Gives every object schema the <c>required</c> list of the direction it is used in. Answers: every property
    /// the API writes (all of them: it writes nulls). Requests: the record parameters without a default that may not
    /// be null, and <c>required</c> members; decimals as a number or a decimal string (the API's JSON reads numbers
    /// from strings, and the order readers take money either way). A type used both ways keeps its name for the
    /// answer and gets a copy named <c>…Input</c> for requests, when the two forms differ.
    /// </summary>
    public sealed class RequestAndResponseForms(IOptions<JsonOptions> json) : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            if (document.Components?.Schemas is not { } schemas || !SchemaTypes.TryGetValue(context.SchemaRepository, out var types))
                return;
            var options = json.Value.SerializerOptions;
            var properties = types.ToDictionary(t => t.Key, t => WireProperties(t.Value, options).ToDictionary(p => p.Name));

            var requestRoots = new List<IOpenApiSchema>();
            var responseRoots = new List<IOpenApiSchema>();
            foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
            {
                requestRoots.AddRange(operation.RequestBody?.Content?.Values.Select(m => m.Schema).OfType<IOpenApiSchema>() ?? []);
                requestRoots.AddRange(operation.Parameters?.Select(p => p.Schema).OfType<IOpenApiSchema>() ?? []);
                responseRoots.AddRange(operation.Responses?.Values.SelectMany(r => r.Content?.Values ?? []).Select(m => m.Schema).OfType<IOpenApiSchema>() ?? []);
            }
            var requested = Reachable(requestRoots, schemas);
            var answered = Reachable(responseRoots, schemas);

            foreach (var id in answered)
            {
                if (schemas[id] is OpenApiSchema { Properties.Count: > 0 } schema && properties.TryGetValue(id, out var wire))
                    schema.Required = new SortedSet<string>(schema.Properties.Keys.Where(k => wire.TryGetValue(k, out var p) && p.AlwaysWritten), StringComparer.Ordinal);
            }

            // The request form of each schema requests reach; a copy where it differs from the answer's.
            var inputs = new Dictionary<string, OpenApiSchema>();
            var differs = new Dictionary<string, bool>();
            foreach (var id in requested)
            {
                if (schemas[id] is OpenApiSchema { Properties.Count: > 0 } schema && properties.TryGetValue(id, out var wire))
                    inputs[id] = RequestForm(schema, wire);
            }
            bool NeedsCopy(string id) =>
                answered.Contains(id) && inputs.TryGetValue(id, out var input) && (differs.TryGetValue(id, out var known) ? known : differs[id] =
                    !SameForm(input, (OpenApiSchema)schemas[id]) || References(input).Any(NeedsCopy));
            var renamed = requested.Where(NeedsCopy).ToDictionary(id => id, id => id + InputSuffix);

            foreach (var (id, input) in inputs)
            {
                var target = renamed.TryGetValue(id, out var copy) ? copy : id;
                schemas[target] = Repoint(input, renamed, document);
            }
            foreach (var root in requestRoots.OfType<OpenApiSchema>())
                Repoint(root, renamed, document);
            foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
            {
                foreach (var media in operation.RequestBody?.Content?.Values.OfType<OpenApiMediaType>() ?? [])
                {
                    if (media.Schema is OpenApiSchemaReference r && renamed.TryGetValue(r.Reference.Id!, out var name))
                        media.Schema = new OpenApiSchemaReference(name, document);
                }
            }
            if (renamed.Count > 0)
                document.Components.Schemas = new SortedDictionary<string, IOpenApiSchema>(schemas, StringComparer.Ordinal);
        }

        static OpenApiSchema RequestForm(OpenApiSchema schema, Dictionary<string, WireProperty> wire)
        {
            var form = (OpenApiSchema)schema.CreateShallowCopy();
            form.Properties = schema.Properties!.ToDictionary(
                p => p.Key,
                p => wire.TryGetValue(p.Key, out var w) && w.IsDecimal ? DecimalInput(p.Value, w.Nullable) : p.Value);
            form.Required = new SortedSet<string>(schema.Properties!.Keys.Where(k => wire.TryGetValue(k, out var p) && p.RequiredInRequests), StringComparer.Ordinal);
            return form;
        }

        /// <summary>A decimal as a request may send it: a JSON number or a decimal string (or null, when it may be).</summary>
        static OpenApiSchema DecimalInput(IOpenApiSchema number, bool nullable)
        {
            List<IOpenApiSchema> members =
            [
                new OpenApiSchema { Type = JsonSchemaType.Number, Format = number.Format },
                new OpenApiSchema { Type = JsonSchemaType.String, Pattern = DecimalPattern },
            ];
            if (nullable)
                members.Add(NullOnly());
            return new OpenApiSchema { Description = number.Description, OneOf = members };
        }

        static bool SameForm(OpenApiSchema input, OpenApiSchema output) =>
            input.Required!.SetEquals(output.Required ?? new HashSet<string>())
            && input.Properties!.All(p => ReferenceEquals(p.Value, output.Properties![p.Key]));

        /// <summary>Points references to renamed schemas at their request copies, in place for inline schemas.</summary>
        static OpenApiSchema Repoint(OpenApiSchema schema, Dictionary<string, string> renamed, OpenApiDocument document)
        {
            IOpenApiSchema Map(IOpenApiSchema s) => s switch
            {
                OpenApiSchemaReference r when renamed.TryGetValue(r.Reference.Id!, out var name) => new OpenApiSchemaReference(name, document),
                // Inline children may be shared with the answer's form: repoint a copy.
                OpenApiSchema inline => Repoint((OpenApiSchema)inline.CreateShallowCopy(), renamed, document),
                _ => s,
            };
            if (renamed.Count == 0)
                return schema;
            if (schema.Properties is { } properties)
            {
                foreach (var key in properties.Keys.ToList())
                    properties[key] = Map(properties[key]);
            }
            if (schema.Items is { } items)
                schema.Items = Map(items);
            if (schema.AdditionalProperties is { } additional)
                schema.AdditionalProperties = Map(additional);
            foreach (var list in new[] { schema.AllOf, schema.AnyOf, schema.OneOf })
            {
                for (var i = 0; list is not null && i < list.Count; i++)
                    list[i] = Map(list[i]);
            }
            return schema;
        }
    }

    /// <summary>
    /// A list or a map whose values are an enum holds text in the contract, its values named in the description. NSwag's
    /// System.Text.Json client reads and writes an enum only through the converter it puts on an enum-typed property:
    /// the items of <c>ignoreLineKinds</c> and the values of <c>statusMap</c> and <c>sourceOfTruth</c> had none, so its
    /// <c>GET /settings</c> threw on the first value and its <c>PUT</c> wrote numbers. As text every generator reads
    /// and writes them as the API does (which takes each value in any case and names a wrong one in its 400).
    /// An enum schema nothing refers to any more is dropped with it.
    /// </summary>
    public sealed class EnumCollectionsAsText : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            if (document.Components?.Schemas is not { } schemas)
                return;
            var enums = schemas.Where(s => s.Value is OpenApiSchema { Enum.Count: > 0 })
                .ToDictionary(s => s.Key, s => ((OpenApiSchema)s.Value).Enum!.Select(v => v?.GetValue<string>()).OfType<string>().ToList());
            var replaced = new HashSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance);
            foreach (var schema in schemas.Values)
                Visit(schema);
            var roots = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? [])
                .SelectMany(o => (o.RequestBody?.Content?.Values.Select(m => m.Schema) ?? [])
                    .Concat(o.Parameters?.Select(p => p.Schema) ?? [])
                    .Concat(o.Responses?.Values.SelectMany(r => r.Content?.Values ?? []).Select(m => m.Schema) ?? []))
                .OfType<IOpenApiSchema>();
            var reachable = Reachable(roots, schemas);
            foreach (var id in replaced.Where(id => !reachable.Contains(id)))
                schemas.Remove(id);

            void Visit(IOpenApiSchema schema)
            {
                if (schema is not OpenApiSchema concrete || !seen.Add(concrete))
                    return;
                if (AsText(concrete.Items) is { } items)
                    concrete.Items = items;
                if (AsText(concrete.AdditionalProperties) is { } values)
                    concrete.AdditionalProperties = values;
                foreach (var child in Children(concrete))
                    Visit(child);
            }

            OpenApiSchema? AsText(IOpenApiSchema? member)
            {
                if (member is not OpenApiSchemaReference { Reference.Id: { } id } || !enums.TryGetValue(id, out var values))
                    return null;
                replaced.Add(id);
                return new OpenApiSchema { Type = JsonSchemaType.String, Description = $"One of: {string.Join(", ", values)} (any case)." };
            }
        }
    }

    /// <summary>The ids of the component schemas the roots lead to.</summary>
    static HashSet<string> Reachable(IEnumerable<IOpenApiSchema> roots, IDictionary<string, IOpenApiSchema> schemas)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<IOpenApiSchema>(roots);
        while (pending.TryPop(out var schema))
        {
            if (schema is OpenApiSchemaReference { Reference.Id: { } id })
            {
                if (found.Add(id) && schemas.TryGetValue(id, out var target))
                    pending.Push(target);
                continue;
            }
            foreach (var child in Children(schema))
                pending.Push(child);
        }
        return found;
    }

    /// <summary>The ids a schema refers to directly or through inline children.</summary>
    static IEnumerable<string> References(IOpenApiSchema schema) => schema is OpenApiSchemaReference { Reference.Id: { } id }
        ? [id]
        : Children(schema).SelectMany(References);

    static IEnumerable<IOpenApiSchema> Children(IOpenApiSchema schema) =>
        (schema.Properties?.Values ?? [])
            .Concat(schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? [])
            .Concat(new[] { schema.Items, schema.AdditionalProperties }.OfType<IOpenApiSchema>());
}
