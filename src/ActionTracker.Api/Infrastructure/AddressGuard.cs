using System.Net;
using System.Net.Sockets;
using ActionTracker.Api.Infrastructure.Outgoing;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Keeps outgoing calls (team notifications, webhooks) to global unicast addresses unless
/// <c>Webhooks:AllowPrivateNetworks</c> says otherwise: a URL supplied by a user must not become a
/// way to reach this machine, internal services or anything IANA reserves
/// (<see cref="SpecialPurposeAddresses"/>). Checked when the URL is saved (the host as written
/// and every address its name resolves to) and again when connecting, for every resolved
/// address, so a name that later resolves inward is still refused. The host is judged as a
/// resolver reads it (<see cref="HostNames"/>), a name must resolve when saved, and in
/// Production only the web ports are allowed unless configured.
/// </summary>
public sealed class AddressGuard(bool allowPrivateNetworks, IReadOnlySet<int>? allowedPorts = null)
{
    /// <summary>The ports of Production unless configured (<c>Webhooks:AllowedPorts</c>): web servers, not whatever else listens.</summary>
    public static readonly IReadOnlySet<int> WebPorts = new HashSet<int> { 80, 443 };

    public bool AllowPrivateNetworks { get; } = allowPrivateNetworks;

    /// <summary>The ports a URL may name; null for any.</summary>
    public IReadOnlySet<int>? AllowedPorts { get; } = allowedPorts;

    /// <summary>Null when the URL is acceptable, else why not.</summary>
    public async Task<string?> Check(string? url, CancellationToken ct = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "An absolute http or https URL is required.";
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return "The URL must not carry credentials.";
        if (AllowedPorts is { } ports && !ports.Contains(uri.Port))
            return $"Port {uri.Port} is not allowed: only {string.Join(", ", ports.Order())}.";
        if (HostNames.Canonical(uri.Host) is not { } host)
            return $"The host '{uri.Host}' is not a host name or address.";
        if (AllowPrivateNetworks)
            return WrittenAs(uri, host);
        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
            return "Loopback addresses are not allowed.";
        if (IPAddress.TryParse(host, out var ip))
            return SpecialPurposeAddresses.Refusal(ip) is { } refusal ? $"Only public unicast addresses are allowed: {refusal}" : WrittenAs(uri, host);
        if (HostNames.NeverResolves(host))
            return $"{host} does not resolve: a URL's host must resolve when it is saved.";
        IPAddress[] resolved;
        try
        {
            resolved = await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException)
        {
            // Accepting it would let a name be pointed inward after the check; every connection checks again too.
            return $"{host} does not resolve: a URL's host must resolve when it is saved.";
        }
        if (resolved.Length == 0)
            return $"{host} does not resolve: a URL's host must resolve when it is saved.";
        return Refusal(host, resolved) ?? WrittenAs(uri, host);
    }

    /// <summary>
    /// A host that passed only once mapped (full-width characters) is refused as written: the
    /// URL is kept as given and connected to as .NET reads it, which is not what was checked.
    /// </summary>
    private static string? WrittenAs(Uri uri, string canonical)
    {
        var written = uri.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        return written == canonical ? null : $"Write the host as {canonical}.";
    }

    /// <summary>Null when every address a name resolves to may be reached, else why not.</summary>
    private static string? Refusal(string host, IReadOnlyList<IPAddress> addresses) =>
        addresses.Select(SpecialPurposeAddresses.Refusal).FirstOrDefault(r => r is not null) is { } refusal
            ? $"{host} resolves to an address that is not public unicast: {refusal}"
            : null;

    public static bool IsPublic(IPAddress ip) => SpecialPurposeAddresses.Refusal(ip) is null;

    /// <summary>An HTTP handler that refuses to connect when any address of the host is not public (unless allowed).</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AllowAutoRedirect = false,
        ConnectCallback = async (context, ct) =>
        {
            if (AllowedPorts is { } ports && !ports.Contains(context.DnsEndPoint.Port))
                throw new HttpRequestException($"Refusing to connect: port {context.DnsEndPoint.Port} is not allowed.");
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            if (addresses.Length == 0)
                throw new HttpRequestException($"{context.DnsEndPoint.Host} has no address.");
            if (!AllowPrivateNetworks && Refusal(context.DnsEndPoint.Host, addresses) is { } refusal)
                throw new HttpRequestException($"Refusing to connect: {refusal}");
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
}
