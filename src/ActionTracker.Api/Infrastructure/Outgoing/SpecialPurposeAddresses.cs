using System.Net;
using System.Net.Sockets;

namespace ActionTracker.Api.Infrastructure.Outgoing;

/// <summary>One entry of IANA's special-purpose address registries.</summary>
public sealed record SpecialPurposeRange(IpPrefix Prefix, string Name, string Rfc, string Allocated);

/// <summary>
/// Which addresses an outgoing call may reach: global unicast only. Every range of IANA's IPv4
/// and IPv6 special-purpose registries (kept as data in <c>special-purpose-addresses.tsv</c>) is
/// refused, besides multicast and, for IPv6, anything outside 2000::/3. An IPv4 address embedded
/// in an IPv6 one (mapped, compatible, NAT64, 6to4, Teredo) is judged as the IPv4 address it
/// leads to.
/// </summary>
public static class SpecialPurposeAddresses
{
    public static IReadOnlyList<SpecialPurposeRange> Ranges { get; } = Load();

    private static readonly IpPrefix Multicast4 = IpPrefix.Parse("224.0.0.0/4");
    private static readonly IpPrefix GlobalUnicast6 = IpPrefix.Parse("2000::/3");
    private static readonly IpPrefix Compatible = IpPrefix.Parse("::/96");
    private static readonly IpPrefix Nat64 = IpPrefix.Parse("64:ff9b::/96");
    private static readonly IpPrefix Nat64Local = IpPrefix.Parse("64:ff9b:1::/48");
    private static readonly IpPrefix SixToFour = IpPrefix.Parse("2002::/16");
    private static readonly IpPrefix Teredo = IpPrefix.Parse("2001::/32");

    /// <summary>Null when the address is global unicast, else why it is refused.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            address = new IPAddress(address.GetAddressBytes());
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(address) is { } embedded
            && Refusal(embedded.Address) is { } inner)
            return $"{address} is the {embedded.Form} form of {embedded.Address}: {inner}";
        if (Ranges.FirstOrDefault(r => r.Prefix.Contains(address)) is { } range)
            return $"{address} is in {range.Prefix}, {range.Name} ({range.Rfc}).";
        if (Multicast4.Contains(address))
            return $"{address} is multicast (224.0.0.0/4).";
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !GlobalUnicast6.Contains(address))
            return $"{address} is not global unicast (2000::/3).";
        return null;
    }

    /// <summary>The IPv4 address an IPv6 address carries in one of the standard forms, if any.</summary>
    public static (IPAddress Address, string Form)? EmbeddedIPv4(IPAddress v6)
    {
        var b = v6.GetAddressBytes();
        if (v6.IsIPv4MappedToIPv6)
            return (v6.MapToIPv4(), "IPv4-mapped");
        if (Nat64.Contains(v6))
            return (new IPAddress(b[12..16]), "NAT64");
        if (Nat64Local.Contains(v6))
            // RFC 6052 with a /48 prefix: the IPv4 address spans bytes 6-7 and 9-10 (byte 8 is zero).
            return (new IPAddress([b[6], b[7], b[9], b[10]]), "NAT64");
        if (SixToFour.Contains(v6))
            return (new IPAddress(b[2..6]), "6to4");
        if (Teredo.Contains(v6))
            // The client's address, obscured by inverting its bits.
            return (new IPAddress([(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]]), "Teredo");
        if (Compatible.Contains(v6) && b[12..16].Any(x => x != 0) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1))
            return (new IPAddress(b[12..16]), "IPv4-compatible");
        return null;
    }

    private static List<SpecialPurposeRange> Load()
    {
        using var stream = typeof(SpecialPurposeAddresses).Assembly.GetManifestResourceStream("special-purpose-addresses.tsv")
                           ?? throw new InvalidOperationException("special-purpose-addresses.tsv is not embedded.");
        using var reader = new StreamReader(stream);
        var ranges = new List<SpecialPurposeRange>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var f = line.Split('\t');
            ranges.Add(new SpecialPurposeRange(IpPrefix.Parse(f[0]), f[1], f[2], f[3]));
        }
        return ranges;
    }
}
