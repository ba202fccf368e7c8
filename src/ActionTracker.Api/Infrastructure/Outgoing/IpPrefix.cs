using System.Net;

namespace ActionTracker.Api.Infrastructure.Outgoing;

/// <summary>An address block in CIDR notation (<c>192.0.2.0/24</c>, <c>2001:db8::/32</c>).</summary>
public readonly record struct IpPrefix(IPAddress Network, int Length)
{
    public static IpPrefix Parse(string cidr)
    {
        var slash = cidr.IndexOf('/');
        var network = IPAddress.Parse(cidr[..slash]);
        var length = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (length < 0 || length > network.GetAddressBytes().Length * 8)
            throw new FormatException($"Bad prefix length in {cidr}.");
        return new IpPrefix(network, length);
    }

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Network.AddressFamily)
            return false;
        Span<byte> a = stackalloc byte[16], n = stackalloc byte[16];
        address.TryWriteBytes(a, out var size);
        Network.TryWriteBytes(n, out _);
        var bits = Length;
        for (var i = 0; i < size && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask))
                return false;
        }
        return true;
    }

    public override string ToString() => $"{Network}/{Length}";
}
