using System.Net;
using System.Net.Sockets;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Where the service may send a request a caller named (a run's <c>callbackUrl</c>, a webhook): never to
/// the service's own machine or network — loopback, private, carrier-grade NAT, link-local (cloud metadata lives
/// at 169.254.169.254), unique-local, multicast or unspecified addresses, nor to names that mean such a place
/// (<c>localhost</c>, <c>*.internal</c>). A name is resolved and refused if any of its addresses is; a name
/// that does not resolve now is accepted here and is checked again when a request is sent: <see cref="CreateHandler"/>
/// resolves the name itself and connects only to an address it checked, so a name that changes its answer between
/// the two (DNS rebinding) still cannot reach inside. <c>Webhooks:AllowPrivateTargets</c> lifts the address rule
/// (tests, a service on a private network); the form rules (absolute http(s), no user info) stay.
/// </summary>
public static class OutboundUrls
{
    static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(2);

    public static IServiceCollection AddOutboundUrls(this IServiceCollection services)
    {
        services.AddSingleton<IHostResolver, DnsHostResolver>();
        return services;
    }

    /// <summary>Why <paramref name="url"/> is refused, or null when it may be called.</summary>
    public static async Task<string?> RefusalAsync(string url, IHostResolver resolver, bool allowPrivateTargets, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "Must be an absolute http(s) URL.";
        if (uri.UserInfo.Length > 0)
            return "Must not carry a user name or password; put a secret in the path or a query parameter.";
        if (allowPrivateTargets)
            return null;
        var host = uri.IdnHost.TrimEnd('.');
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
            return IPAddress.TryParse(uri.HostNameType == UriHostNameType.IPv6 ? host.Trim('[', ']') : host, out var literal) && IsForbidden(literal)
                ? Refused(host) : null;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase))
            return Refused(host);
        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ResolveTimeout);
            addresses = await resolver.ResolveAsync(host, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException && !ct.IsCancellationRequested)
        {
            return null;
        }
        return addresses.Any(IsForbidden) ? Refused(host) : null;
    }

    /// <summary>
    /// The handler for requests to URLs callers named: it resolves the host through <paramref name="resolver"/>, refuses
    /// (<see cref="RefusedException"/>) when any address is <see cref="IsForbidden"/> unless <paramref name="allowPrivateTargets"/>,
    /// and connects to the addresses it checked; redirects are not followed (a 3xx is the answer).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(IHostResolver resolver, bool allowPrivateTargets) => new()
    {
        AllowAutoRedirect = false,
        // A proxy (HTTP_PROXY in the environment) would be the address checked, and it would reach anything.
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host.Trim('[', ']');
            IPAddress[] addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, ct);
            if (addresses.Length == 0)
                throw new RefusedException($"refused: '{host}' resolves to no address");
            if (!allowPrivateTargets && addresses.FirstOrDefault(IsForbidden) is { } forbidden)
                throw new RefusedException($"refused: {forbidden} is a loopback/private/link-local/metadata address" + (literal is null ? $" ('{host}' resolves to it)" : ""));
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>A request the guard refused to connect; its message says why.</summary>
    public sealed class RefusedException(string message) : Exception(message);

    static string Refused(string host) =>
        $"Must be reachable on the public internet; '{host}' is a loopback, private, link-local or metadata address (or resolves to one).";

    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 or >= 224                // this network, private, loopback, multicast and reserved
                || (b[0] == 100 && b[1] is >= 64 and <= 127)        // carrier-grade NAT (also some clouds' metadata)
                || (b[0] == 169 && b[1] == 254)                     // link-local, cloud metadata
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0);         // IETF protocol assignments
        }
        var v6 = address.GetAddressBytes();
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that a gateway would reach.
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return IsForbidden(new IPAddress(v6.AsSpan(12, 4)));
        if (v6[0] == 0x20 && v6[1] == 0x02)
            return IsForbidden(new IPAddress(v6.AsSpan(2, 4)));
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal;
    }
}

/// <summary>Host-name resolution, behind a seam so that a test can make a name resolve anywhere without DNS.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}
