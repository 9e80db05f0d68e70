using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// API keys: accepted as <c>X-Api-Key</c>, <c>Authorization: Bearer</c>, or HTTP Basic with the key as
/// user name (Zapier's polling trigger only does Basic) or as password with an empty user name (some tools
/// only fill the password field). A workspace key is looked up by its SHA-256;
/// the admin key comes from configuration.
/// </summary>
public static class Auth
{
    public const string Scheme = "ApiKey";
    public const string WorkspacePolicy = "workspace";
    public const string AdminPolicy = "admin";
    public const string WorkspaceClaim = "workspace_id";
    const string AdminRole = "admin";

    public static Guid WorkspaceId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(WorkspaceClaim) ?? throw new InvalidOperationException("Not a workspace caller."));

    public static string KeyPrefix(string key) => key[..Math.Min(key.Length, 12)];

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new key: "rk_" + 256 random bits, URL-safe.</summary>
    public static string NewKey() =>
        "rk_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static IServiceCollection AddApiAuth(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(WorkspacePolicy, p => p.RequireClaim(WorkspaceClaim))
            .AddPolicy(AdminPolicy, p => p.RequireRole(AdminRole));
        return services;
    }

    /// <summary>
    /// Pages a browser opens under <paramref name="path"/> (Swagger UI, the Hangfire dashboard) challenge a caller without
    /// a valid key before they run: the challenge's <c>WWW-Authenticate: Basic</c> makes the browser ask for the key,
    /// where a bare 401 would only show an error.
    /// </summary>
    public static WebApplication UseKeyChallenge(this WebApplication app, PathString path)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(path) && context.User.Identity?.IsAuthenticated != true)
                await context.ChallengeAsync();
            else
                await next(context);
        });
        return app;
    }

    static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers["X-Api-Key"].FirstOrDefault(k => !string.IsNullOrWhiteSpace(k)) is { } header)
            return header.Trim();
        return AuthorizationKey(request);
    }

    /// <summary>
    /// Why the request names two different keys, or null: X-Api-Key sent twice with different keys, or beside an Authorization
    /// header holding another workspace key (<c>rk_…</c>; an Authorization that is no key of ours — a gateway's token — is left
    /// to it). The copies of X-Api-Key were joined with a comma into a key that is none ("unknown or revoked"), and beside
    /// Authorization the X-Api-Key won silently: a Zap whose connection holds one workspace's key and whose step adds
    /// another's wrote to a workspace its author did not see.
    /// </summary>
    static string? TwoKeys(HttpRequest request)
    {
        var keys = request.Headers["X-Api-Key"].Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k!.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count > 1)
            return $"The X-Api-Key header came {keys.Count} times with different keys ({string.Join(", ", keys.Select(k => KeyPrefix(k) + "…"))}): send one key, once.";
        return keys.Count == 1 && AuthorizationKey(request) is { } other && other.StartsWith("rk_", StringComparison.Ordinal) && other != keys[0]
            ? $"X-Api-Key ({KeyPrefix(keys[0])}…) and the Authorization header ({KeyPrefix(other)}…) hold different keys: send one of them, so the request acts in the workspace you mean."
            : null;
    }

    static string? AuthorizationKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization[7..].Trim();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
                var parts = decoded.Split(':', 2);
                // "key:" (key as user name) or ":key" (key as password, no user name).
                var key = parts[0].Length > 0 ? parts[0] : parts.Length == 2 ? parts[1] : "";
                return key.Length > 0 ? key : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }

    sealed record KeyMatch(Guid Id, Guid WorkspaceId);

    /// <summary>Query parameters tools put a key in (Make's and Zapier's users try them when a header field is not obvious).</summary>
    static readonly HashSet<string> QueryKeyNames = new(["api_key", "apikey", "api-key", "key", "access_token", "token", "x-api-key"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Compiled once: every request looks its key up (13 % of the service's samples under wrk on a page of 100), and a LINQ
    /// query built anew is walked by Entity Framework to find it in its cache each time. A page of 100 at 8 connections:
    /// 320.8 against 310.5 requests a second, medians of five alternated pairs (README, "Speed").
    /// </summary>
    static readonly Func<ReconcileDbContext, string, CancellationToken, Task<KeyMatch?>> FindKey = EF.CompileAsyncQuery(
        (ReconcileDbContext db, string hash, CancellationToken ct) => db.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAt == null)
            .Select(k => new KeyMatch(k.Id, k.WorkspaceId))
            .FirstOrDefault());

    sealed class ApiKeyHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IOptions<ServiceOptions> service,
        IHostEnvironment environment,
        ReconcileDbContext db,
        IProblemDetailsService problems)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (TwoKeys(Request) is { } twoKeys)
                return AuthenticateResult.Fail(twoKeys);
            if (PresentedKey(Request) is not { } key)
                return AuthenticateResult.NoResult();
            // Everyone knows it from the README, and a database first served in Development keeps it when the same
            // file is later served in Production.
            if (key == ServiceOptions.AuthSection.WellKnownDevelopmentApiKey && !environment.IsDevelopment())
                return AuthenticateResult.Fail("The Development API key is refused outside Development.");

            var adminKey = service.Value.Auth.AdminKey;
            if (!string.IsNullOrEmpty(adminKey) &&
                CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(adminKey)))
                return Success(new Claim(ClaimTypes.Role, AdminRole), new Claim(ClaimTypes.Name, "admin"));

            var found = await FindKey(db, Hash(key), Context.RequestAborted);
            return found is null
                ? AuthenticateResult.Fail("Unknown or revoked API key.")
                : Success(new Claim(WorkspaceClaim, found.WorkspaceId.ToString()), new Claim(ClaimTypes.Name, $"key:{found.Id}"));
        }

        AuthenticateResult Success(params Claim[] claims) =>
            AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Auth.Scheme)), Auth.Scheme));

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Basic realm=\"ReconcileApi\", Bearer";
            const string Ways = "send it as X-Api-Key, Authorization: Bearer, or Basic auth with the key as user name (or as password with an empty user name).";
            // A key in the URL is never read (proxies, logs and browser history keep URLs): say so rather than "a key is required".
            var inQuery = Request.Query.Keys.FirstOrDefault(k => QueryKeyNames.Contains(k));
            var authorization = Request.Headers.Authorization.ToString().Trim();
            var scheme = authorization.Split(' ', 2)[0];
            var detail = TwoKeys(Request) is { } twoKeys ? twoKeys
                : PresentedKey(Request) is not null ? "The API key is unknown or revoked."
                : inQuery is not null ? $"An API key in the query string ('{inQuery}') is not read, as URLs are kept in logs: remove it from the URL (and rotate it if it was a real key); {Ways}"
                // A header that was sent but not understood: say which part, not "a key is required".
                : scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) ? $"The Authorization header's Basic credentials are not base64 of 'key:' (or ':key') holding a key; {Ways}"
                : scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) ? $"The Authorization header's Bearer token is empty; {Ways}"
                : authorization.Length > 0 ? $"The Authorization scheme '{TextRules.Cut(scheme, 40)}' is not read (only Bearer and Basic are); {Ways}"
                : $"An API key is required: {Ways}";
            await WriteProblem(StatusCodes.Status401Unauthorized, detail);
        }

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return WriteProblem(StatusCodes.Status403Forbidden, "This key may not call this endpoint.");
        }

        Task WriteProblem(int status, string detail) =>
            problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new() { Status = status, Detail = detail },
            }).AsTask();
    }
}
