using System.Net;
using System.Net.Sockets;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Keeps outgoing calls (team notifications, webhooks) away from this machine and private
/// networks unless <c>Webhooks:AllowPrivateNetworks</c> says otherwise: a URL supplied by a user
/// must not become a way to reach internal services. Checked when the URL is saved and again
/// when connecting, after DNS resolution, so a name that later resolves inward is still refused.
/// </summary>
public sealed class AddressGuard(bool allowPrivateNetworks)
{
    public bool AllowPrivateNetworks { get; } = allowPrivateNetworks;

    /// <summary>Null when the URL is acceptable, else why not.</summary>
    public string? Check(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "An absolute http or https URL is required.";
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return "The URL must not carry credentials.";
        if (AllowPrivateNetworks)
            return null;
        if (uri.IsLoopback || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return "Loopback addresses are not allowed.";
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && !IsPublic(ip))
            return "Private, loopback and link-local addresses are not allowed.";
        return null;
    }

    public static bool IsPublic(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.None))
            return false;
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal || ip.IsIPv6Multicast);
        var b = ip.GetAddressBytes();
        return !(b[0] == 10 || b[0] == 127 || b[0] == 0 || b[0] >= 224
                 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                 || (b[0] == 192 && b[1] == 168)
                 || (b[0] == 169 && b[1] == 254)
                 || (b[0] == 100 && b[1] >= 64 && b[1] <= 127));
    }

    /// <summary>An HTTP handler that refuses to connect to non-public addresses unless allowed.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AllowAutoRedirect = false,
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var allowed = addresses.Where(a => AllowPrivateNetworks || IsPublic(a)).ToArray();
            if (allowed.Length == 0)
                throw new HttpRequestException($"Refusing to connect to {context.DnsEndPoint.Host}: not a public address.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
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
