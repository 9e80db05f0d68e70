using System.Diagnostics.CodeAnalysis;

namespace ReconcileApi.Infrastructure;

/// <summary>Version ETags and If-Match, the one optimistic-concurrency check every versioned resource uses.</summary>
public static class ETags
{
    public const string IfMatchHeader = "If-Match";
    public const string IfNoneMatchHeader = "If-None-Match";

    public static string Of(int version) => $"\"{version}\"";

    /// <summary>
    /// True when no If-Match was sent, when it is "*", or when one of its tags names this version. A weak tag (<c>W/"9"</c>)
    /// counts: these tags name versions, not bytes, so weak and strong name the same state — and a proxy that compresses
    /// answers (nginx's gzip) turns the ETag a caller reads into a weak one, which RFC 9110's strong comparison would refuse
    /// forever. Call on a header <see cref="Unreadable(string)"/> accepted.
    /// </summary>
    public static bool Matches([NotNullWhen(false)] string? ifMatch, int version) =>
        ifMatch is null || Parse(ifMatch) is { } tags && tags.Exists(t => t == Any || t.Opaque == Of(version));

    /// <summary>
    /// The 400 for an If-Match that is not a list of entity tags (an unquoted <c>9</c>, say), or null when it is one: such a
    /// header can match no version, and a 412 would tell the caller its ETag is stale when the ETag it read is current.
    /// </summary>
    public static ProblemHttpResult? Unreadable(string ifMatch) => Unreadable(IfMatchHeader, ifMatch);

    /// <summary>
    /// The 400 for a conditional header (<see cref="IfMatchHeader"/> or, on a write, <see cref="IfNoneMatchHeader"/>) that is
    /// not a list of entity tags, or null when it is one: it can name no version, so a write can neither be refused nor
    /// allowed on it.
    /// </summary>
    public static ProblemHttpResult? Unreadable(string header, string value)
    {
        if (Parse(value) is not null)
            return null;
        // A bare version number is the ETag without its quotes: show it quoted.
        var example = value.Trim() is { Length: > 0 } bare && bare.All(char.IsAsciiDigit) ? $"\"{bare}\"" : Of(9);
        return Problems.Invalid(header,
            $"Must be the ETag you read, quotes included ({header}: {example}); several separated by commas, or *.",
            $"The {header} header '{value}' is not an entity tag: send the ETag as the service gave it, quotes included ({header}: {example}).");
    }

    /// <summary>
    /// If-None-Match on a write (RFC 9110, 13.1.2): true when none was sent, or when it is not <c>*</c> and none of its tags
    /// names this version (weak comparison, as 13.1.2 requires). False means the write must not happen: 412, nothing changed.
    /// It was ignored on every write: <c>If-None-Match: *</c>, "only if nothing is there yet", replaced the settings. Call on a
    /// header <see cref="Unreadable(string, string)"/> accepted.
    /// </summary>
    public static bool NoneMatch([NotNullWhen(false)] string? ifNoneMatch, int version) =>
        ifNoneMatch is null || Parse(ifNoneMatch) is { } tags && !tags.Exists(t => t == Any || t.Opaque == Of(version));

    /// <summary>The 412 of an If-None-Match that named the version a write found (<see cref="NoneMatch"/> false).</summary>
    public static ProblemHttpResult Exists(string ifNoneMatch, int version) => Problems.PreconditionFailed(
        ifNoneMatch.Trim(' ', '\t') == "*"
            ? $"If-None-Match: * asks to write only where nothing is yet, and this has a current version (ETag {Of(version)}), so nothing was changed; " +
              $"send it without If-None-Match, or with If-Match: {Of(version)} to write only if nobody else did first."
            : $"If-None-Match {ifNoneMatch} names the current version (ETag {Of(version)}), so nothing was changed; " +
              "send it without If-None-Match to write whatever the version.");

    readonly record struct EntityTag(string Opaque, bool Weak);

    static readonly EntityTag Any = new("*", Weak: false);

    /// <summary>
    /// If-Match's entity tags (RFC 9110, 13.1.1 and 8.8.3): "*", or a comma-separated list of quoted tags, each perhaps weak
    /// (<c>W/"9"</c>); empty list elements are skipped (5.6.1). Null when the header is not that, or names no tag.
    /// </summary>
    static List<EntityTag>? Parse(string ifMatch)
    {
        if (ifMatch.Trim(' ', '\t') == "*")
            return [Any];
        var tags = new List<EntityTag>();
        var i = 0;
        while (true)
        {
            while (i < ifMatch.Length && ifMatch[i] is ' ' or '\t' or ',')
                i++;
            if (i == ifMatch.Length)
                return tags.Count > 0 ? tags : null;
            var weak = string.CompareOrdinal(ifMatch, i, "W/", 0, 2) == 0;
            if (weak)
                i += 2;
            var close = i < ifMatch.Length && ifMatch[i] == '"' ? ifMatch.IndexOf('"', i + 1) : -1;
            if (close < 0)
                return null;
            var opaque = ifMatch[i..(close + 1)];
            // etagc: visible characters but the quote, and obs-text; no spaces or controls.
            if (opaque.AsSpan().ContainsAnyInRange('\0', ' ') || opaque.Contains('\x7f'))
                return null;
            tags.Add(new(opaque, weak));
            i = close + 1;
            while (i < ifMatch.Length && ifMatch[i] is ' ' or '\t')
                i++;
            if (i < ifMatch.Length && ifMatch[i] != ',')
                return null;
        }
    }

    /// <summary>
    /// If-None-Match on a GET or HEAD of a versioned resource (RFC 9110, 13.1.2): when one of its tags names the version the
    /// answer carries — weak comparison, as 13.1.2 requires — or it is <c>*</c>, the answer is 304 Not Modified with the ETag
    /// and no body, so a caller polling a discrepancy or the settings with the ETag it holds transfers nothing while nothing
    /// changed. It was ignored: a 200 with the whole body every time. A header that is no list of entity tags is ignored
    /// (the full answer is always correct); the check runs after the handler, on the ETag the handler set, so a 404 stays a 404.
    /// If-Match is evaluated before it (13.2.2): tags that name none of the current version are a 412, where the current
    /// version used to be sent to a caller who had asked for it only if it was still the one it held.
    /// </summary>
    public sealed class NotModifiedFilter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var result = await next(context);
            var http = context.HttpContext;
            if (!(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
                || http.Response.Headers.ETag.ToString() is not { Length: > 0 } etag || StatusOf(result) != StatusCodes.Status200OK)
                return result;
            // If-Match first (RFC 9110, 13.2.2): a GET whose tags name another version is 412 — the caller asked for this
            // representation only if it is still the one it holds. It was ignored and the current one sent.
            if (http.Request.Headers.IfMatch.ToString() is { Length: > 0 } ifMatch && Parse(ifMatch) is { } required
                && !required.Exists(t => t == Any || t.Opaque == etag))
            {
                http.Response.Headers.Remove("ETag");
                return Problems.PreconditionFailed(ReadStale(ifMatch, etag));
            }
            if (http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch
                && Parse(ifNoneMatch) is { } tags && tags.Exists(t => t == Any || t.Opaque == etag))
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            return result;
        }

        public static string ReadStale(string ifMatch, string etag) =>
            $"If-Match {ifMatch} names none of this resource's current version (ETag {etag}); read it without If-Match to get it as it is.";

        static int? StatusOf(object? result) => result switch
        {
            INestedHttpResult nested => StatusOf(nested.Result),
            IStatusCodeHttpResult status => status.StatusCode,
            _ => null,
        };
    }

    /// <summary>
    /// The 304 a GET of a versioned resource answers to If-None-Match with its current ETag, and the 412 it answers to an
    /// If-Match naming another version, in its contract.
    /// </summary>
    public static void DocumentNotModified(EndpointBuilder endpoint)
    {
        if (Versioned(endpoint.Metadata) && endpoint.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().Any(m => m.HttpMethods.Contains("GET")))
        {
            endpoint.Metadata.Add(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void), []));
            endpoint.Metadata.Add(new OpenApi.ResponseHeader(StatusCodes.Status304NotModified, "ETag", "The current version, the one If-None-Match named: what you hold is current."));
            endpoint.Metadata.Add(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(
                StatusCodes.Status412PreconditionFailed, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
            endpoint.Metadata.Add(new OpenApi.ProblemExampleDetail(StatusCodes.Status412PreconditionFailed, NotModifiedFilter.ReadStale(Of(3), Of(4))));
        }
    }

    /// <summary>Whether the endpoint's resource is versioned (it answers an ETag, and its writes honour If-Match themselves).</summary>
    public static bool Versioned(EndpointMetadataCollection metadata) => Versioned(metadata.OfType<object>());

    public static bool Versioned(IEnumerable<object> metadata) => metadata.OfType<OpenApi.ResponseHeader>().Any(h => h.Name == "ETag");

    static bool IsWrite(IEnumerable<object> metadata) =>
        metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().Any(m => m.HttpMethods.Any(x => x is "POST" or "PUT" or "PATCH" or "DELETE"));

    /// <summary>The 412 every write without versions may answer (<see cref="UnversionedFilter"/>), in its contract.</summary>
    public static void DocumentUnversioned(EndpointBuilder endpoint)
    {
        if (IsWrite(endpoint.Metadata) && !Versioned(endpoint.Metadata)
            && !endpoint.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().Any(m => m.StatusCode == StatusCodes.Status412PreconditionFailed))
            endpoint.Metadata.Add(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(
                StatusCodes.Status412PreconditionFailed, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
    }

    /// <summary>
    /// If-Match on a write whose resource has no versions (a schedule, a webhook, the alert rules, a new run): it can name no
    /// current ETag, so the condition is false and the write must not happen (RFC 9110, 13.1.1) — the caller sent it to have
    /// the change refused if someone else's came first. It was ignored and the change applied. <c>*</c> (the resource exists)
    /// passes; a header that is no entity tag is the 400 a versioned write gives. If-None-Match is the converse (13.1.2): its
    /// tags name no current ETag, so they pass, and <c>*</c> — write only where nothing exists — fails, as the resource (or
    /// the collection a POST adds to) exists; it was ignored, and a caller who sent <c>*</c> to create once created again.
    /// </summary>
    public sealed class UnversionedFilter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            if (http.GetEndpoint() is not { } endpoint || !IsWrite(endpoint.Metadata) || Versioned(endpoint.Metadata))
                return await next(context);
            if (http.Request.Headers.IfMatch.ToString() is { Length: > 0 } ifMatch)
            {
                if (Unreadable(ifMatch) is { } unreadable)
                    return unreadable;
                if (!Matches(ifMatch, version: -1))
                    return Problems.PreconditionFailed($"{http.Request.Method} {http.Request.Path} has no versions, so If-Match {ifMatch} names none of its ETags " +
                        "and nothing was changed; send it without If-Match (or with If-Match: *).");
            }
            if (http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch)
            {
                if (Unreadable(IfNoneMatchHeader, ifNoneMatch) is { } unreadable)
                    return unreadable;
                if (!NoneMatch(ifNoneMatch, version: -1))
                    return Problems.PreconditionFailed($"{http.Request.Method} {http.Request.Path} has no versions, and If-None-Match: * asks to write only where " +
                        "nothing exists, which it cannot promise, so nothing was changed; send it without If-None-Match (an Idempotency-Key makes a retry safe).");
            }
            return await next(context);
        }
    }
}
