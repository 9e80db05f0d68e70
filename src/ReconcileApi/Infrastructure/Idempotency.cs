using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Idempotency-Key on POST/PUT: Make and Zapier replay requests, so the same key and body replays the
/// first answer (with <c>Idempotent-Replayed: true</c>); the same key with another body is 422; the same
/// key while the first request is still in flight is 409. Keys expire after Retention:IdempotencyHours (24). Answers of 5xx are
/// not kept, so a retry after a server error runs again, nor is a 412: see <see cref="Kept"/>.
/// </summary>
/// <remarks>
/// Crash consistency. An endpoint with <see cref="RecordedByEndpoint"/> (ingest: long, one transaction) claims
/// nothing beforehand: it adds the completed record inside its own transaction (<see cref="AddCompleted"/>),
/// so a retry after a crash either replays the committed answer or runs again, and a concurrent duplicate
/// loses at commit and replays the winner's answer. The other write endpoints are quick: they claim the key
/// first, and a claim left by a request that died is taken over after <see cref="Abandoned"/> — at once on
/// SQLite, where a start clears the claims of the previous process (<see cref="IdempotencyExtensions.ForgetInterruptedClaimsAsync"/>).
/// </remarks>
public sealed class Idempotency(ReconcileDbContext db, TimeProvider clock, IOptions<JsonOptions> json, IOptions<ServiceOptions> service)
{
    /// <summary>The 409 of a key whose first request has not finished.</summary>
    public static string InProgress(string key) => $"A request with the Idempotency-Key '{key}' is still in progress; retry after it finishes.";

    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    /// <summary>How long a key replays its answer (<c>Retention:IdempotencyHours</c>, default 24); the daily purge drops it after.</summary>
    TimeSpan Lifetime => TimeSpan.FromHours(service.Value.Retention.IdempotencyHours);
    /// <summary>An in-flight claim older than this belongs to a request that died (claiming endpoints answer in well under a second).</summary>
    public static readonly TimeSpan Abandoned = TimeSpan.FromSeconds(30);

    /// <summary>Marks the endpoints behind the filter whose keys it honours (workspace callers'): the contract declares the header there.</summary>
    public sealed class Honoured;

    /// <summary>
    /// The methods whose requests a key makes safe to repeat. DELETE among them: a retry after a timeout found the schedule or
    /// webhook the first attempt had deleted gone and answered 404, so Zapier or Make stopped the scenario on a delete that
    /// had worked; with its key it replays the 204.
    /// </summary>
    public static bool Honours(string method) => HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    /// <summary>Marks an endpoint that writes its idempotency record in its own transaction (<see cref="AddCompleted"/>).</summary>
    public sealed class RecordedByEndpoint;

    sealed record PendingKey(Guid WorkspaceId, string Key, string RequestHash);

    /// <summary>Set by the filter for a <see cref="RecordedByEndpoint"/> request that carries a key.</summary>
    PendingKey? pending;

    public abstract record Outcome;
    public sealed record Proceed : Outcome;
    public sealed record Replay(int StatusCode, string? Body, string? Location) : Outcome;
    public sealed record Rejected(IResult Problem) : Outcome;

    public static string HashRequest(HttpRequest request, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Claims the key for this request (or, with <paramref name="claim"/> false, only makes sure no answer exists
    /// yet), or says how to answer instead.
    /// </summary>
    public async Task<Outcome> BeginAsync(Guid workspaceId, string key, string requestHash, CancellationToken ct, bool claim = true)
    {
        if (key.Length > 255)
            return new Rejected(Problems.Invalid(Header, "Must be at most 255 characters.", "The Idempotency-Key is longer than 255 characters."));
        var now = clock.GetUtcNow().UtcDateTime;
        var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.WorkspaceId == workspaceId && r.Key == key, ct);
        if (existing is not null)
        {
            var expired = existing.CreatedAt + Lifetime < now;
            var abandoned = existing.StatusCode is null && existing.CreatedAt + Abandoned < now;
            if (!expired && !abandoned)
            {
                if (existing.RequestHash != requestHash)
                    return new Rejected(Problems.Unprocessable($"The Idempotency-Key '{key}' was used with another request; use a new key for a new request."));
                if (existing.StatusCode is null)
                    return new Rejected(Problems.Conflict(InProgress(key)));
                return new Replay(existing.StatusCode.Value, existing.ResponseBody, existing.Location);
            }
            if (!claim)
            {
                // The endpoint inserts the record at its commit: the old one goes, unless somebody replaced it meanwhile.
                await db.IdempotencyRecords
                    .Where(r => r.WorkspaceId == workspaceId && r.Key == key && r.CreatedAt == existing.CreatedAt)
                    .ExecuteDeleteAsync(ct);
                return Pending(workspaceId, key, requestHash);
            }
            // Take over an expired or abandoned key, but only if nobody else did meanwhile.
            var taken = await db.IdempotencyRecords
                .Where(r => r.WorkspaceId == workspaceId && r.Key == key && r.CreatedAt == existing.CreatedAt)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.RequestHash, requestHash)
                    .SetProperty(r => r.StatusCode, (int?)null)
                    .SetProperty(r => r.ResponseBody, (string?)null)
                    .SetProperty(r => r.Location, (string?)null)
                    .SetProperty(r => r.CreatedAt, now), ct);
            return taken == 1 ? new Proceed() : await BeginAsync(workspaceId, key, requestHash, ct);
        }
        if (!claim)
            return Pending(workspaceId, key, requestHash);
        db.IdempotencyRecords.Add(new IdempotencyRecord { WorkspaceId = workspaceId, Key = key, RequestHash = requestHash, CreatedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
            return new Proceed();
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request with the same key won the insert.
            db.ChangeTracker.Clear();
            return await BeginAsync(workspaceId, key, requestHash, ct);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    Proceed Pending(Guid workspaceId, string key, string requestHash)
    {
        pending = new PendingKey(workspaceId, key, requestHash);
        return new Proceed();
    }

    /// <summary>
    /// For a <see cref="RecordedByEndpoint"/> endpoint: adds the answer's record to the context, to be saved by the
    /// endpoint's own transaction (nothing when the request carries no key).
    /// </summary>
    public void AddCompleted(int statusCode, object value, string? location)
    {
        if (pending is not { } p)
            return;
        db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            WorkspaceId = p.WorkspaceId, Key = p.Key, RequestHash = p.RequestHash, StatusCode = statusCode,
            ResponseBody = JsonSerializer.Serialize(value, value.GetType(), json.Value.SerializerOptions), Location = location,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
    }

    /// <summary>
    /// Whether an answer is kept for the key's repeats. Not a 5xx (the request failed; a retry runs again), nor a 412: its
    /// If-Match failed and nothing was done, and If-Match is not part of the request's hash, so the corrected request —
    /// the same key and body with the current ETag — must run, not be answered the 412 again.
    /// </summary>
    static bool Kept(int statusCode) => statusCode is < 500 and not StatusCodes.Status412PreconditionFailed;

    public async Task CompleteAsync(Guid workspaceId, string key, int statusCode, string? body, string? location)
    {
        var query = db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Key == key);
        if (!Kept(statusCode))
            await query.ExecuteDeleteAsync(CancellationToken.None);
        else
            await query.ExecuteUpdateAsync(s => s
                .SetProperty(r => r.StatusCode, statusCode)
                .SetProperty(r => r.ResponseBody, body)
                .SetProperty(r => r.Location, location), CancellationToken.None);
    }

    public static IResult ReplayResult(Replay replay) => new ReplayedResult(replay);

    sealed class ReplayedResult(Replay replay) : IResult
    {
        /// <summary>A replayed problem carries this request's traceId, as every problem does (the stored one was kept without it).</summary>
        static string WithTraceId(string body, HttpContext context)
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(body) is not System.Text.Json.Nodes.JsonObject problem)
                return body;
            problem["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier;
            return problem.ToJsonString();
        }

        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = replay.StatusCode;
            context.Response.Headers[ReplayedHeader] = "true";
            if (replay.Location is not null)
                context.Response.Headers.Location = replay.Location;
            if (replay.Body is not null)
            {
                context.Response.ContentType = replay.StatusCode >= 400 ? "application/problem+json" : "application/json; charset=utf-8";
                await context.Response.WriteAsync(replay.StatusCode >= 400 ? WithTraceId(replay.Body, context) : replay.Body);
            }
        }
    }

    /// <summary>The endpoint filter every POST/PUT/DELETE endpoint runs behind.</summary>
    public sealed class Filter(Idempotency idempotency, IOptions<JsonOptions> json) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var bound = context.Arguments.OfType<IIdempotentBody>().FirstOrDefault();
            if (!Honours(http.Request.Method)
                || bound?.Problem is not null
                || http.User.FindFirst(Auth.WorkspaceClaim) is null)
                return await next(context);
            var body = bound?.Body ?? await JsonBodies.ReadBufferedAsync(http.Request);
            string? invalid = null;
            var bodyKey = bound is not null ? bound.IdempotencyKey : JsonBodies.IdempotencyKey(body.Span, out invalid);
            if (invalid is not null)
                return Problems.InvalidFields(new() { [JsonBodies.IdempotencyKeyProperty] = [invalid] });
            if (Twice(http.Request.Headers[Header]) is { } twice)
                return twice;
            // The header wins; else the body's own idempotencyKey (no-code tools that cannot set headers), on every write.
            var key = http.Request.Headers[Header].FirstOrDefault(k => !string.IsNullOrEmpty(k)) is { } header ? header : bodyKey;
            if (string.IsNullOrEmpty(key))
                return await next(context);

            var workspaceId = http.User.WorkspaceId();
            var hash = HashRequest(http.Request, body.Span);
            var recordedByEndpoint = http.GetEndpoint()?.Metadata.GetMetadata<RecordedByEndpoint>() is not null;
            var outcome = await idempotency.BeginAsync(workspaceId, key, hash, http.RequestAborted, claim: !recordedByEndpoint);
            switch (outcome)
            {
                case Replay replay:
                    return ReplayResult(replay);
                case Rejected rejected:
                    return rejected.Problem;
            }
            if (recordedByEndpoint)
            {
                try
                {
                    return await next(context);
                }
                catch (DbUpdateException e) when (e.IsUniqueViolation())
                {
                    // A concurrent request with the same key committed first: its answer is this one's.
                    switch (await idempotency.BeginAsync(workspaceId, key, hash, http.RequestAborted, claim: false))
                    {
                        case Replay replay:
                            return ReplayResult(replay);
                        case Rejected rejected:
                            return rejected.Problem;
                    }
                    throw;
                }
            }
            object? result;
            try
            {
                result = await next(context);
            }
            catch
            {
                await idempotency.CompleteAsync(workspaceId, key, 500, null, null);
                throw;
            }
            var (status, value, location) = Describe(result);
            await idempotency.CompleteAsync(workspaceId, key, status,
                value is null ? null : JsonSerializer.Serialize(value, value.GetType(), json.Value.SerializerOptions), location);
            return result;
        }

        /// <summary>
        /// The 400 of an Idempotency-Key header sent more than once with different keys (a tool's own retry header beside the
        /// one a person set, a copied step): the copies were joined with a comma into a key neither names ("a,b"), so the
        /// request ran under it and a retry that sent one of them ran again. The same key sent twice is that key.
        /// </summary>
        static ProblemHttpResult? Twice(Microsoft.Extensions.Primitives.StringValues keys)
        {
            var distinct = keys.Where(k => !string.IsNullOrEmpty(k)).Distinct(StringComparer.Ordinal).ToList();
            if (distinct.Count < 2)
                return null;
            var shown = string.Join(", ", distinct.Take(3).Select(k => $"'{TextRules.Cut(k!, 40)}'"));
            return Problems.Invalid(Header, $"Must be sent once; it came {keys.Count} times with different keys ({shown}).",
                $"The Idempotency-Key header came {keys.Count} times with different keys ({shown}): send it once, so a retry is known by its key.");
        }

        /// <summary>Status, body and Location of what the endpoint answered (the chosen case of a <c>Results&lt;…&gt;</c>).</summary>
        static (int Status, object? Value, string? Location) Describe(object? result)
        {
            while (result is INestedHttpResult nested)
                result = nested.Result;
            return (
                (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK,
                (result as IValueHttpResult)?.Value,
                result?.GetType().GetProperty("Location")?.GetValue(result) as string);
        }
    }
}

/// <summary>
/// A body an endpoint reads in its own binder (e.g. a file upload): the filter hashes these bytes, honours a
/// key the body carries (for tools that cannot set headers), and claims no key for a body it could not read.
/// </summary>
public interface IIdempotentBody
{
    ReadOnlyMemory<byte> Body { get; }
    string? IdempotencyKey { get; }
    /// <summary>Why the request was refused while it was read; the endpoint answers it.</summary>
    ProblemHttpResult? Problem { get; }
}

public static class IdempotencyExtensions
{
    /// <summary>
    /// On SQLite one process owns the file, so a claim still in flight at start belongs to a request the previous
    /// process never finished: it is forgotten, and a retry with its key runs at once instead of answering 409.
    /// </summary>
    public static async Task ForgetInterruptedClaimsAsync(this WebApplication app, ServiceOptions options)
    {
        if (options.Database.Provider != DatabaseProvider.Sqlite)
            return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var forgotten = await db.IdempotencyRecords.Where(r => r.StatusCode == null).ExecuteDeleteAsync();
        if (forgotten > 0)
            app.Logger.LogInformation("Forgot {Count} idempotency claim(s) of requests the previous process did not finish", forgotten);
    }
}
