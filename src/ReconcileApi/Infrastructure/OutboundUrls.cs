using FluentValidation;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Where the service may send a request a caller named (a run's <c>callbackUrl</c>, a webhook): never to
/// the service's own machine or network — any address IANA's special-purpose registries do not call globally reachable
/// (loopback, private, carrier-grade NAT, link-local where cloud metadata lives, documentation, benchmarking, unique-local,
/// multicast, reserved), an address of this machine's own interfaces, nor to names that mean such a place
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

    /// <summary>The longest URL the service keeps to call (a webhook's, a run's callback): the width of their columns.</summary>
    public const int MaxLength = 2000;

    /// <summary>
    /// The rule of a URL a caller gives the service to call: text of at most <see cref="MaxLength"/> characters without a
    /// control character (<see cref="TextRules"/>), then a target <see cref="RefusalAsync"/> accepts. A null URL passes.
    /// </summary>
    public static IRuleBuilderOptionsConditions<T, TText> OutboundUrl<T, TText>(this IRuleBuilder<T, TText> rule, IHostResolver resolver, bool allowPrivateTargets)
        where TText : IEquatable<string>? =>
        rule.CustomAsync(async (value, context, ct) =>
        {
            var url = value as string;
            if (TextRules.Problem(url, MaxLength) is { } problem)
                context.AddFailure(problem);
            else if (url is not null && await RefusalAsync(url, resolver, allowPrivateTargets, ct) is { } refusal)
                context.AddFailure(refusal);
        });

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
            return IPAddress.TryParse(uri.HostNameType == UriHostNameType.IPv6 ? host.Trim('[', ']') : host, out var literal) && IsForbidden(literal, resolver.OwnAddresses())
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
        var own = resolver.OwnAddresses();
        return addresses.Any(a => IsForbidden(a, own)) ? Refused(host) : null;
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
            var own = allowPrivateTargets ? null : resolver.OwnAddresses();
            if (own is not null && addresses.FirstOrDefault(a => IsForbidden(a, own)) is { } forbidden)
                throw new RefusedException($"refused: {forbidden} is a loopback/private/link-local/metadata address, reserved, or this machine's own"
                    + (literal is null ? $" ('{host}' resolves to it)" : ""));
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
        $"Must be reachable on the public internet; '{host}' is a loopback, private, link-local, metadata, reserved or this machine's own address (or resolves to one).";

    /// <summary>
    /// IANA's IPv4 and IPv6 special-purpose ranges that are not globally reachable, and multicast. The few anycast
    /// services inside 192.0.0.0/24 and 2001::/23 are refused with their blocks: nobody's webhook receiver lives there.
    /// </summary>
    static readonly IPNetwork[] NotGlobal =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4", // multicast; reserved, with the broadcast address 255.255.255.255
            "2001::/23", "2001:db8::/32", "3fff::/20", // protocol assignments (Teredo among them), documentation
        }.Select(n => IPNetwork.Parse(n)),
    ];

    /// <summary>
    /// IPv6 global unicast: the rest (::/96 IPv4-compatible, 100::/64 discard, 64:ff9b:1::/48 local-use NAT64,
    /// 5f00::/16 SRv6, unique-local, link-local, multicast) is unassigned or not globally reachable.
    /// </summary>
    static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");

    /// <summary>NAT64's well-known prefix is globally reachable, and reaches the IPv4 address in its last 32 bits; 6to4 the one after 2002:.</summary>
    static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96"), SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>
    /// Whether the service must not connect to <paramref name="address"/>: not globally reachable, or one of <paramref name="own"/>
    /// (this machine's interfaces: a public address of its own would reach services that listen on it for the inside only).
    /// An IPv6 address that stands for an IPv4 one (mapped, NAT64, 6to4) is judged by the IPv4 address.
    /// </summary>
    public static bool IsForbidden(IPAddress address, IReadOnlySet<IPAddress> own)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (own.Contains(address))
            return true;
        var embedded = Nat64.Contains(address) ? 12 : SixToFour.Contains(address) ? 2 : -1;
        if (embedded >= 0)
            return IsForbidden(new IPAddress(address.GetAddressBytes().AsSpan(embedded, 4)), own);
        return (address.AddressFamily == AddressFamily.InterNetworkV6 && !GlobalUnicast.Contains(address))
            || NotGlobal.Any(n => n.Contains(address));
    }
}

/// <summary>
/// Host-name resolution and this machine's own addresses, behind a seam so that a test can make a name resolve anywhere
/// without DNS, and give the machine an address it does not have.
/// </summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);

    /// <summary>The unicast addresses of this machine's network interfaces.</summary>
    IReadOnlySet<IPAddress> OwnAddresses();
}

public sealed class DnsHostResolver(TimeProvider clock) : IHostResolver
{
    /// <summary>Interfaces rarely change, and listing them costs system calls on every request sent: read them again after this.</summary>
    static readonly TimeSpan OwnAddressesFor = TimeSpan.FromMinutes(1);

    sealed record Snapshot(IReadOnlySet<IPAddress> Addresses, long ReadAt);
    Snapshot? own;

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);

    public IReadOnlySet<IPAddress> OwnAddresses()
    {
        if (own is { } cached && clock.GetElapsedTime(cached.ReadAt) < OwnAddressesFor)
            return cached.Addresses;
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .ToHashSet();
        own = new Snapshot(addresses, clock.GetTimestamp());
        return addresses;
    }
}
