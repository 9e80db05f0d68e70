using System.Threading.RateLimiting;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Requests per API key, and — without a valid key — per client address, so one tenant (or one guesser of
/// keys) cannot slow the others: a token bucket of <c>RateLimit:PermitsPerMinute</c> (default 600) that
/// refills evenly over the minute. Over it: 429 problem+json with <c>Retry-After</c>. Only the API is limited;
/// health probes, the contract and the dashboard are not.
/// </summary>
public static class RateLimits
{
    public const string Policy = "per-key";

    public static IServiceCollection AddRateLimits(this IServiceCollection services, ServiceOptions options)
    {
        var perMinute = options.RateLimit.PermitsPerMinute;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, 60 / perMinute)),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(Policy, context => RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => bucket));
            o.OnRejected = async (rejected, _) =>
            {
                var http = rejected.HttpContext;
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.Problem(StatusCodes.Status429TooManyRequests,
                    $"More than {perMinute} requests a minute with this key (or from this address without a valid key); retry after {seconds} s.").ExecuteAsync(http);
            };
        });
        return services;
    }

    /// <summary>The key's identity once authenticated (workspace key id, or admin); otherwise the client's address.</summary>
    static string PartitionOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.Identity.Name is { } name
            ? name
            : "address:" + context.Connection.RemoteIpAddress;
}
