using System.Net;
using System.Net.Http.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Outgoing;
using Microsoft.AspNetCore.Hosting;

namespace ActionTracker.Api.Tests;

/// <summary>The guard's classification, from a table of IANA's special-purpose registries (pure).</summary>
public sealed class ClassifyingOutgoingAddresses
{
    /// <summary>Every prefix of the IPv4 and IPv6 special-purpose registries, written out here independently of the service's data.</summary>
    public static readonly TheoryData<string> RegistryPrefixes =
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.0.0/29", "192.0.0.8/32", "192.0.0.9/32", "192.0.0.10/32", "192.0.0.170/32", "192.0.0.171/32", "192.0.2.0/24",
        "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
        "::1/128", "::/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001::/32",
        "2001:1::1/128", "2001:1::2/128", "2001:2::/48", "2001:3::/32", "2001:4:112::/48", "2001:10::/28", "2001:20::/28",
        "2001:30::/28", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
    ];

    [Theory]
    [MemberData(nameof(RegistryPrefixes))]
    public void the_first_and_last_address_of_every_registry_range_is_refused(string cidr)
    {
        var prefix = IpPrefix.Parse(cidr);
        var bytes = prefix.Network.GetAddressBytes();
        var last = (byte[])bytes.Clone();
        for (var bit = prefix.Length; bit < last.Length * 8; bit++)
            last[bit / 8] |= (byte)(0x80 >> (bit % 8));

        Assert.NotNull(SpecialPurposeAddresses.Refusal(prefix.Network));
        Assert.NotNull(SpecialPurposeAddresses.Refusal(new IPAddress(last)));
        Assert.Contains(SpecialPurposeAddresses.Ranges, r => r.Prefix.ToString() == prefix.ToString());
    }

    [Theory]
    [InlineData("64:ff9b::a00:1", "NAT64 form of 10.0.0.1")]
    [InlineData("::a00:1", "IPv4-compatible form of 10.0.0.1")]
    [InlineData("2002:7f00:1::", "6to4 form of 127.0.0.1")]
    [InlineData("::ffff:192.168.1.1", "IPv4-mapped form of 192.168.1.1")]
    [InlineData("64:ff9b:1:a9fe:a9:fe00::", "NAT64 form of 169.254.169.254")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo form of 10.0.0.1")]
    public void an_ipv4_address_embedded_in_ipv6_is_judged_as_the_ipv4_address(string address, string reason) =>
        Assert.Contains(reason, SpecialPurposeAddresses.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("224.0.0.251")]
    [InlineData("ff02::1")]
    [InlineData("fec0::1")]
    [InlineData("198.18.0.1")]
    [InlineData("192.0.2.77")]
    public void multicast_old_site_local_benchmark_and_documentation_addresses_are_refused(string address) =>
        Assert.NotNull(SpecialPurposeAddresses.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.215.14")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:82a::200e")]
    public void global_unicast_addresses_are_allowed(string address) =>
        Assert.Null(SpecialPurposeAddresses.Refusal(IPAddress.Parse(address)));
}

/// <summary>The service in the Production environment, private networks not allowed.</summary>
public sealed class ProductionFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "false");
    }
}

public sealed class GuardingOutgoingUrls(ProductionFixture api) : IClassFixture<ProductionFixture>
{
    [Theory]
    [InlineData("http://[64:ff9b::a00:1]/")]
    [InlineData("http://[::a00:1]/")]
    [InlineData("http://[2002:7f00:1::]/")]
    [InlineData("http://198.18.0.1/")]
    [InlineData("https://192.0.2.10/hooks")]
    public async Task a_notify_url_or_webhook_on_a_special_purpose_address_is_refused_and_nothing_is_written(string url)
    {
        var team = "guard-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        var service = api.As("svc-guard", [], "service");

        var put = await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, notifyUrl = url });
        var subscribe = await service.PostAsJsonAsync("/api/subscriptions", new { url, types = new[] { "actiontracker.item.created.v1" } });

        Assert.Contains("public unicast", (await put.AssertProblem(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("notifyUrl")[0].GetString());
        await subscribe.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from teams where slug = $1", team));
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from subscriptions where url = $1", url));
    }

    [Theory]
    [InlineData("http://localhost./hook", "Loopback addresses are not allowed")]
    [InlineData("http://127.0.0.1./hook", "127.0.0.1 is in 127.0.0.0/8, Loopback")]
    [InlineData("http://\uFF11\uFF12\uFF17.\uFF10.\uFF10.\uFF11/hook", "127.0.0.1 is in 127.0.0.0/8, Loopback")]
    [InlineData("http://\uFF4C\uFF4F\uFF43\uFF41\uFF4C\uFF48\uFF4F\uFF53\uFF54/hook", "Loopback addresses are not allowed")]
    [InlineData("http://10\u30020\u30020\u30021/hook", "10.0.0.1 is in 10.0.0.0/8")]
    [InlineData("http://hooks.nowhere.invalid/hook", "hooks.nowhere.invalid does not resolve")]
    [InlineData("http://8.8.8.8:8443/hook", "Port 8443 is not allowed: only 80, 443")]
    [InlineData("http://localhost.:8080/hook", "Port 8080 is not allowed")]
    public async Task a_url_that_reaches_inward_once_its_host_is_read_as_a_resolver_reads_it_is_refused_when_saved(string url, string reason)
    {
        var team = "guard-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        var service = api.As("svc-guard", [], "service");

        var put = await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, notifyUrl = url });
        var subscribe = await service.PostAsJsonAsync("/api/subscriptions", new { url, types = new[] { "actiontracker.item.created.v1" } });

        Assert.Contains(reason, (await put.AssertProblem(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("notifyUrl")[0].GetString());
        Assert.Contains(reason, (await subscribe.AssertProblem(HttpStatusCode.BadRequest)).ToString());
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from teams where slug = $1", team));
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from subscriptions where url = $1", url));
    }

    [Fact]
    public async Task configured_ports_and_public_addresses_written_plainly_are_accepted()
    {
        var guard = new AddressGuard(allowPrivateNetworks: false, allowedPorts: new HashSet<int> { 443, 8443 });

        Assert.Null(await guard.Check("https://8.8.8.8:8443/hook"));
        Assert.Null(await guard.Check("https://[2606:4700:4700::1111]/hook"));
        Assert.Contains("Port 80 is not allowed", await guard.Check("http://8.8.8.8/hook"));
        Assert.Equal("Write the host as 8.8.8.8.", await guard.Check("https://\uFF18.\uFF18.\uFF18.\uFF18/hook"));
    }

    [Fact]
    public async Task a_name_resolving_to_any_reserved_address_is_refused_when_connecting()
    {
        using var client = new HttpClient(new AddressGuard(allowPrivateNetworks: false).CreateHandler());

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://localhost:9/"));

        Assert.Contains("127.0.0.1 is in 127.0.0.0/8, Loopback", error.Message);
    }
}
