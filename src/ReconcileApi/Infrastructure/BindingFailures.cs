using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// What the framework's parameter binding refused, told the caller's way: the field by its wire name (camelCase, its path
/// in the body) and what it must look like — never the framework's text, a .NET type name or an internal class's path.
/// </summary>
public static partial class BindingFailures
{
    public static async Task<ProblemDetails> DescribeAsync(HttpContext context, BadHttpRequestException exception)
    {
        var request = context.Request;
        // The exception handler has cleared the endpoint and route values; its feature keeps them.
        var failed = context.Features.Get<IExceptionHandlerFeature>();
        var endpoint = failed?.Endpoint ?? context.GetEndpoint();
        var routeValues = failed?.RouteValues ?? request.RouteValues;
        switch (exception.StatusCode)
        {
            case StatusCodes.Status415UnsupportedMediaType:
                return Problem(StatusCodes.Status415UnsupportedMediaType,
                    $"Send the body as JSON with Content-Type: application/json (this request's Content-Type is '{request.ContentType}').");
            case StatusCodes.Status413PayloadTooLarge:
                return Problem(StatusCodes.Status413PayloadTooLarge, "The body is over the request body limit (Limits:MaxRequestBodyBytes).");
            case StatusCodes.Status408RequestTimeout:
                // Kestrel's minimum data rate: a body trickled slower than 240 bytes a second (after the first 5 s) is cut off,
                // so a slow client cannot hold a connection and its buffer; the caller is told the fault was its pace.
                return Problem(StatusCodes.Status408RequestTimeout, Problems.BodyTooSlow);
            case not StatusCodes.Status400BadRequest:
                return Problem(exception.StatusCode, "The request could not be read.");
        }
        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        if (exception.InnerException is JsonException json)
            return DescribeBody(await JsonBodies.ReadBufferedAsync(request), json, JsonBodies.BodyType(endpoint), options);
        if (endpoint?.Metadata.GetMetadata<MethodInfo>() is { } method && ParameterErrors(request, routeValues, method) is { Count: > 0 } errors)
            return new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Detail = Problems.FieldsInvalid };
        if (JsonBodies.BodyType(endpoint) is not null && request.ContentLength is null or 0)
            return BodyProblem("Is required: a JSON body; see the operation's request body in /swagger.", "The request needs a JSON body; see the operation's request body in /swagger.");
        return BodyProblem("Could not be read; check the request's parameters and body against /swagger.", "The request could not be read; check its parameters and body against /swagger.");
    }

    static ProblemDetails Problem(int status, string detail) => new() { Status = status, Detail = detail };

    /// <summary>
    /// The key of <c>errors</c> for what is wrong with the body as a whole (not JSON, not an object, missing): every 400 is a
    /// validation problem with <c>errors</c>, as the contract documents it, so a generated client reads one type.
    /// </summary>
    public const string BodyField = "body";

    static HttpValidationProblemDetails BodyProblem(string message, string detail) =>
        new(new Dictionary<string, string[]> { [BodyField] = [message] }) { Status = StatusCodes.Status400BadRequest, Detail = detail };

    static ProblemDetails DescribeBody(ReadOnlyMemory<byte> body, JsonException json, Type? bodyType, JsonSerializerOptions options)
    {
        // A body that is not JSON at all: say where, in the reader's words (no type names there).
        if (SyntaxError(body.Span) is { } syntax)
        {
            var (line, position, reason) = JsonBodies.SyntaxFault(syntax, body.Span);
            var problem = BodyProblem($"Is not valid JSON at line {line}, position {position}: {reason}",
                $"The request body is not valid JSON at line {line}, position {position}: {reason}");
            problem.Extensions["line"] = line;
            problem.Extensions["position"] = position;
            return problem;
        }
        // A property name that is not text stops the reader at the object that holds it, whatever the property: say which.
        if (FirstInvalidText(body) is { IsName: true, Path: var name })
        {
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [name] = [InvalidName] })
            {
                Status = StatusCodes.Status400BadRequest,
                Detail = Problems.FieldsInvalid,
            };
        }
        if (bodyType is null || json.Path is null)
            return BodyProblem("Could not be read; see the operation's request body in /swagger.", "The request body could not be read; see the operation's request body in /swagger.");
        var (field, type) = JsonBodies.Resolve(json.Path, bodyType, options, out var unknownKey);
        if (field.Length == 0)
            return BodyProblem("Must be a JSON object; see the operation's request body in /swagger.", "The request body must be a JSON object; see the operation's request body in /swagger.");
        var message = unknownKey
            ?? (type is null ? "Has a value of the wrong kind; see the operation's request body in /swagger."
                : type == typeof(string) && InvalidTextAt(body, json.Path) is { } invalid ? invalid
                : NumberAt(body, json.Path) is { } number && OutOfRange(number, type) is { } range ? range
                : JsonBodies.Expectation(type));
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Detail = Problems.FieldsInvalid,
        };
    }

    const string InvalidName = "Is a property name that is not valid text: it holds a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape) or bytes that are not UTF-8.";

    /// <summary>
    /// Why the value at the body's JSON path (<c>$.alerts[0].name</c>, as <see cref="JsonException.Path"/> gives it) is a
    /// string that is not valid text (<see cref="JsonText.WhyInvalid"/>), or null when it is no such string. A string property refuses only that and values that are not strings, and those two
    /// deserve different answers; the document holds such a string as written, and refuses only to read it as text.
    /// </summary>
    static string? InvalidTextAt(ReadOnlyMemory<byte> body, string path)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        return At(document.RootElement, path) is { ValueKind: JsonValueKind.String } element && !JsonText.IsValid(element) ? JsonText.WhyInvalid(element) : null;
    }

    /// <summary>The JSON number at the body's path as written (<c>1e300</c>), or null when the value there is no number.</summary>
    static string? NumberAt(ReadOnlyMemory<byte> body, string path)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        return At(document.RootElement, path) is { ValueKind: JsonValueKind.Number } element ? element.GetRawText() : null;
    }

    static JsonElement? At(JsonElement element, string path)
    {
        foreach (var (name, index) in JsonBodies.PathSteps(path))
        {
            if (name is null)
            {
                if (element.ValueKind != JsonValueKind.Array || index >= element.GetArrayLength())
                    return null;
                element = element[index];
            }
            else if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }
        return element;
    }

    /// <summary>
    /// What a number too large (or small) for its field is told: its range. "Must be a number." for a threshold of 1e300, and
    /// "Must be a whole number." for a windowDays of 2147483648, told a caller who had sent a number that it had not.
    /// </summary>
    static string? OutOfRange(string number, Type type)
    {
        if ((Nullable.GetUnderlyingType(type) ?? type) is var date && (date == typeof(DateTime) || date == typeof(DateTimeOffset)))
            return PastTheCalendar(number);
        (decimal Min, decimal Max, bool Whole)? range = Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) switch
        {
            TypeCode.Int16 => (short.MinValue, short.MaxValue, true),
            TypeCode.Int32 => (int.MinValue, int.MaxValue, true),
            TypeCode.Int64 => (long.MinValue, long.MaxValue, true),
            TypeCode.Decimal => (decimal.MinValue, decimal.MaxValue, false),
            _ => null,
        };
        if (range is not { } r || !double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || double.IsNaN(value) || (value >= (double)r.Min && value <= (double)r.Max))
            return null;
        return $"Must be a {(r.Whole ? "whole number" : "number")} from {r.Min.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} " +
            $"to {r.Max.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}; {number} is out of range.";
    }

    /// <summary>
    /// What a date past the calendar's ends in UTC is told: its range. 9999-12-31T23:59:59-05:00 (a day that exists, in a zone
    /// where it falls after 9999 in UTC) and a year of five digits were told "Must be a date like 2026-11-01T00:00:00Z.".
    /// </summary>
    static string? PastTheCalendar(string text)
    {
        return FiveDigitYear().IsMatch(text.Trim())
            || WithOffset().Match(text.Trim()) is { Success: true } withOffset
                && DateTime.TryParse(withOffset.Groups["local"].Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
            ? $"Must be a date from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z; {text} falls outside them in UTC."
            : null;
    }

    /// <summary>A date and time with its offset (Z or ±hh:mm) at the end; <c>local</c> is what comes before the offset.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<local>.+[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)\s*(Z|[+-]\d{2}(:?\d{2})?)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex WithOffset();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[+-]?\d{5,}-\d{2}-\d{2}")]
    private static partial System.Text.RegularExpressions.Regex FiveDigitYear();

    static (string Path, bool IsName)? FirstInvalidText(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        return JsonText.FirstInvalid(document.RootElement);
    }

    static JsonException? SyntaxError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException e)
        {
            return e;
        }
    }

    /// <summary>The query, route and header parameters of the handler whose text does not read as their type (or that are missing).</summary>
    static Dictionary<string, string[]> ParameterErrors(HttpRequest request, RouteValueDictionary routeValues, MethodInfo method)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, type, header, required) in Parameters(method))
        {
            var sent = header ? request.Headers[name]
                : routeValues.TryGetValue(name, out var route) ? new StringValues(route?.ToString())
                : request.Query[name];
            var text = sent.ToString();
            var wire = ValidationFilter.CamelPath(name);
            if (string.IsNullOrEmpty(text))
            {
                if (required)
                    errors[wire] = ["Is required."];
            }
            else if (sent.Count > 1)
            {
                // The framework joins the copies with a comma ("1,2"), which reads as no number: say what was sent.
                errors[wire] = [Paging.GivenTwice];
            }
            else if (!Reads(text, type))
            {
                errors[wire] = [OutOfRange(text, type) ?? JsonBodies.Expectation(type)];
            }
        }
        return errors;
    }

    static IEnumerable<(string Name, Type Type, bool Header, bool Required)> Parameters(MethodInfo method)
    {
        foreach (var p in method.GetParameters())
        {
            if (p.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                var constructor = p.ParameterType.GetConstructors().MaxBy(c => c.GetParameters().Length);
                foreach (var member in constructor?.GetParameters() ?? [])
                {
                    if (Simple(member.ParameterType))
                        yield return (NameOf(member), member.ParameterType, member.GetCustomAttribute<FromHeaderAttribute>() is not null, Required(member));
                }
            }
            else if (Simple(p.ParameterType) && p.GetCustomAttribute<FromBodyAttribute>() is null && p.GetCustomAttribute<FromServicesAttribute>() is null)
            {
                yield return (NameOf(p), p.ParameterType, p.GetCustomAttribute<FromHeaderAttribute>() is not null, Required(p));
            }
        }
    }

    static string NameOf(ParameterInfo p) =>
        p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.GetCustomAttribute<FromHeaderAttribute>()?.Name ?? p.GetCustomAttribute<FromRouteAttribute>()?.Name ?? p.Name!;

    static bool Required(ParameterInfo p) =>
        !p.HasDefaultValue && !p.IsOptional && Nullable.GetUnderlyingType(p.ParameterType) is null
        && (p.ParameterType.IsValueType || new NullabilityInfoContext().Create(p).WriteState == NullabilityState.NotNull);

    static bool Simple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
            || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeSpan) || type == typeof(Guid);
    }

    /// <summary>Whether the text reads as the type, as the framework reads it (invariant culture).</summary>
    static bool Reads(string text, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
            return true;
        if (type.IsEnum)
            return Enum.TryParse(type, text, ignoreCase: true, out _);
        if (type == typeof(bool))
            return bool.TryParse(text, out _);
        if (type == typeof(DateTime))
            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces, out _);
        var tryParse = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]);
        return tryParse is null || (bool)tryParse.Invoke(null, [text, CultureInfo.InvariantCulture, null])!;
    }
}
