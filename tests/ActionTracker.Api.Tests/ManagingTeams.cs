using System.Net;
using System.Net.Http.Json;
using ActionTracker.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ActionTracker.Api.Tests;

public sealed class ManagingTeams(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private static Task<HttpResponseMessage> Put(HttpClient client, string team, object body) =>
        client.PutAsJsonAsync($"/api/teams/{team}", body);

    [Fact]
    public async Task a_lead_describes_their_team_and_anyone_may_read_it()
    {
        var created = await Put(_cast.Lena, "platform", new
        {
            name = "Platform", leads = new[] { "lena", "luis" }, escalationContact = "vp-eng",
            notifyUrl = "https://chat.example.com/hooks/platform", timeZone = "Europe/Berlin",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/teams/platform", created.Headers.Location?.OriginalString);

        var updated = await Put(_cast.Lena, "platform", new { name = "Platform engineering", leads = new[] { "lena" }, timeZone = "America/New_York" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        var read = await (await _cast.Olga.GetAsync("/api/teams/platform")).Body();
        Assert.Equal("Platform engineering", read.Str("name"));
        Assert.Equal(["lena"], read.GetProperty("leads").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("America/New_York", read.Str("timeZone"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("notifyUrl").ValueKind);
        Assert.Equal(2, read.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task only_leads_of_the_team_and_admins_may_change_it()
    {
        await (await Put(_cast.Bob, "platform", new { leads = new[] { "bob" } })).AssertProblem(HttpStatusCode.Forbidden);
        await (await Put(_cast.Paul, "platform", new { leads = new[] { "paul" } })).AssertProblem(HttpStatusCode.Forbidden);
        Assert.True((await Put(_cast.Admin, "security", new { leads = new[] { "sam" } })).IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("""{"timeZone": "Mars/Olympus"}""", "timeZone")]
    [InlineData("""{"notifyUrl": "ftp://files.example.com/x"}""", "notifyUrl")]
    [InlineData("""{"notifyUrl": "not a url"}""", "notifyUrl")]
    [InlineData("""{"leads": ["has space"]}""", "leads")]
    [InlineData("""{"escalationContact": "bad contact!"}""", "escalationContact")]
    public async Task invalid_team_settings_are_400s_and_change_nothing(string json, string field)
    {
        var response = await _cast.Lena.PutAsync("/api/teams/platform-x", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from teams where slug = 'platform-x'"));
    }

    [Fact]
    public async Task a_put_without_leads_is_a_400_naming_them_and_changes_nothing()
    {
        var team = "renamed-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        Assert.Equal(HttpStatusCode.Created, (await Put(lead, team, new
        {
            name = "Platform", leads = new[] { "lena" }, escalationContact = "vp-eng", timeZone = "Europe/Berlin",
        })).StatusCode);

        var rename = await Put(lead, team, new { name = "Platform Engineering" });

        var problem = await rename.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Contains("use PATCH", problem.GetProperty("errors").GetProperty("leads")[0].GetString());
        var kept = await (await lead.GetAsync($"/api/teams/{team}")).Body();
        Assert.Equal(("Platform", "vp-eng", "Europe/Berlin", 1L), (kept.Str("name"), kept.Str("escalationContact"), kept.Str("timeZone"), kept.GetProperty("version").GetInt64()));
        Assert.Equal(["lena"], kept.GetProperty("leads").EnumerateArray().Select(l => l.GetString()));
        // Nobody else's lead role took the team over meanwhile.
        await (await Put(api.As("lars", [team], "lead"), team, new { leads = new[] { "lars" } })).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task an_unknown_team_is_a_404()
    {
        await (await _cast.Alice.GetAsync("/api/teams/nobody-here")).AssertProblem(HttpStatusCode.NotFound);
    }
}

/// <summary>The service as deployed: notify URLs must not point at this machine or private networks.</summary>
public sealed class StrictNetworkFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder) =>
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "false");
}

public sealed class GuardingNotifyUrls(StrictNetworkFixture api) : IClassFixture<StrictNetworkFixture>
{
    [Theory]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://172.20.0.5/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("https://user:secret@chat.example.com/hook")]
    public async Task private_and_loopback_notify_urls_are_refused(string url)
    {
        var lead = api.As("lena", ["platform"], "lead");

        var response = await lead.PutAsJsonAsync("/api/teams/platform", new { notifyUrl = url });

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("notifyUrl", out _));
    }

    [Fact]
    public async Task a_public_notify_url_is_accepted()
    {
        var lead = api.As("lena", ["platform"], "lead");

        // A public address as written: a name would be looked up, and the tests reach nothing beyond loopback.
        var response = await lead.PutAsJsonAsync("/api/teams/platform", new { leads = new[] { "lena" }, notifyUrl = "https://93.184.215.14/hooks/123" });

        Assert.True(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task a_name_that_resolves_to_loopback_is_refused_when_connecting()
    {
        var guard = new AddressGuard(allowPrivateNetworks: false);
        using var client = new HttpClient(guard.CreateHandler());

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://localhost:9/"));
        Assert.Contains("not public unicast", error.Message);
    }
}
