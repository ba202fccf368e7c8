using System.Net;
using System.Net.Http.Json;

namespace ActionTracker.Api.Tests;

/// <summary>A team is a resource with a version: no lost updates, a PATCH that touches only what it names, and a history.</summary>
public sealed class VersioningTeams(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static HttpRequestMessage Request(HttpMethod method, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    [Fact]
    public async Task a_lead_patching_leads_and_time_zone_keeps_the_name_and_contact_and_the_history_says_who_changed_what()
    {
        var team = "ver-" + Guid.NewGuid().ToString("N")[..8];
        var lena = api.As("lena", [team], "lead");
        var put = await lena.PutAsJsonAsync($"/api/teams/{team}", new { name = "Versioned team", leads = new[] { "lena" }, escalationContact = "vp-eng" });
        Assert.Equal("\"1\"", put.Headers.ETag?.Tag);

        var patch = await lena.SendAsync(Request(HttpMethod.Patch, $"/api/teams/{team}", new { leads = new[] { "lena", "luis" }, timeZone = "Europe/Berlin" }, "\"1\""));

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var body = await patch.Body();
        Assert.Equal(("Versioned team", "vp-eng", "Europe/Berlin", 2L),
            (body.Str("name"), body.Str("escalationContact"), body.Str("timeZone"), body.GetProperty("version").GetInt64()));
        var history = (await (await lena.GetAsync($"/api/teams/{team}/history")).Body()).GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        Assert.Equal(("lena", 2L), (history[1].Str("actor"), history[1].GetProperty("version").GetInt64()));
        Assert.Equal(["leads", "timeZone"], history[1].GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task a_stale_if_match_is_412_and_changes_nothing()
    {
        var team = "ver-" + Guid.NewGuid().ToString("N")[..8];
        var lena = api.As("lena", [team], "lead");
        await lena.PutAsJsonAsync($"/api/teams/{team}", new { name = "First", leads = new[] { "lena" } });
        await lena.PutAsJsonAsync($"/api/teams/{team}", new { name = "Second", leads = new[] { "lena" } });

        var stalePut = await lena.SendAsync(Request(HttpMethod.Put, $"/api/teams/{team}", new { name = "From a stale form", leads = new[] { "lena" } }, "\"1\""));
        var stalePatch = await lena.SendAsync(Request(HttpMethod.Patch, $"/api/teams/{team}", new { name = "Also stale" }, "\"1\""));

        await stalePut.AssertProblem(HttpStatusCode.PreconditionFailed);
        await stalePatch.AssertProblem(HttpStatusCode.PreconditionFailed);
        var current = await (await lena.GetAsync($"/api/teams/{team}")).Body();
        Assert.Equal(("Second", 2L), (current.Str("name"), current.GetProperty("version").GetInt64()));
        Assert.Equal(2L, await api.Database.Scalar<long>("select count(*) from team_history where team = $1", team));
    }
}
