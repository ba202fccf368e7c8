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
/// address, so a name that later resolves inward is still refused.
/// </summary>
public sealed class AddressGuard(bool allowPrivateNetworks)
{
    public bool AllowPrivateNetworks { get; } = allowPrivateNetworks;

    /// <summary>Null when the URL is acceptable, else why not.</summary>
    public async Task<string?> Check(string? url, CancellationToken ct = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "An absolute http or https URL is required.";
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return "The URL must not carry credentials.";
        if (AllowPrivateNetworks)
            return null;
        if (uri.IsLoopback || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return "Loopback addresses are not allowed.";
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
            return SpecialPurposeAddresses.Refusal(ip) is { } refusal ? $"Only public unicast addresses are allowed: {refusal}" : null;
        IPAddress[] resolved;
        try
        {
            resolved = await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return null; // not resolvable from here (yet): every connection checks again
        }
        return Refusal(uri.IdnHost, resolved);
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
