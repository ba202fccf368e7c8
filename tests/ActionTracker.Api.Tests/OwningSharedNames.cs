using System.Net;
using System.Net.Http.Json;
using ActionTracker.Api.Tests.Postmortems;

namespace ActionTracker.Api.Tests;

/// <summary>Names several callers share: a webhook subscription is its creator's, a postmortem ref its first team's.</summary>
public sealed class OwningSharedNames(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);
    private readonly HttpClient _other = api.As("pm-exporter", [], "service");

    private async Task<(Guid Id, string Position)> Subscribe(HttpClient service)
    {
        var created = await service.PostAsJsonAsync("/api/subscriptions", new { url = "http://127.0.0.1:9/hook" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Body()).GetProperty("id").GetGuid();
        return (id, (await (await service.GetAsync($"/api/subscriptions/{id}")).Body()).Str("position"));
    }

    [Fact]
    public async Task another_service_can_neither_see_replay_nor_delete_a_subscription_and_an_admin_manages_all()
    {
        var (id, position) = await Subscribe(_cast.Importer);

        await (await _other.GetAsync($"/api/subscriptions/{id}")).AssertProblem(HttpStatusCode.NotFound);
        await (await _other.PostAsJsonAsync($"/api/subscriptions/{id}/replay", new { from = "start" })).AssertProblem(HttpStatusCode.NotFound);
        await (await _other.DeleteAsync($"/api/subscriptions/{id}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await (await _other.GetAsync("/api/subscriptions")).Body()).GetProperty("subscriptions").EnumerateArray(),
            s => s.GetProperty("id").GetGuid() == id);

        Assert.Equal(position, (await (await _cast.Importer.GetAsync($"/api/subscriptions/{id}")).Body()).Str("position"));
        Assert.Contains((await (await _cast.Admin.GetAsync("/api/subscriptions")).Body()).GetProperty("subscriptions").EnumerateArray(),
            s => s.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.NoContent, (await _cast.Admin.DeleteAsync($"/api/subscriptions/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"from\": null}")]
    public async Task a_replay_without_from_is_a_400_and_does_not_rewind(string body)
    {
        var (id, position) = await Subscribe(_cast.Importer);

        var replay = await _cast.Importer.PostRaw($"/api/subscriptions/{id}/replay", body);

        Assert.Contains("start", (await replay.AssertProblem(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("from")[0].GetString());
        Assert.Equal(position, (await (await _cast.Importer.GetAsync($"/api/subscriptions/{id}")).Body()).Str("position"));
    }

    [Fact]
    public async Task a_postmortem_ref_belongs_to_the_team_that_first_imported_it()
    {
        var reference = "pm-owned-" + Guid.NewGuid().ToString("N")[..6];
        var text = Samples.Read("markdown-numbered-action-items.md");
        Assert.Equal(HttpStatusCode.Created, (await _cast.Alice.Import(reference, text)).StatusCode);
        var events = await api.EventCount();

        var import = await _cast.Olga.Import(reference, text, team: "payments");
        var link = await _cast.Olga.Post("/api/action-items", new { title = "Pin the pricing cache", team = "payments", owner = "olga",
            source = new { kind = "postmortem", @ref = reference } });
        var leadOfAnotherTeam = await _cast.Paul.Post("/api/action-items", new { title = "Pin the pricing cache", team = "payments", owner = "paul",
            source = new { kind = "postmortem", @ref = reference } });

        Assert.Contains("belongs to team 'platform'", (await import.AssertProblem(HttpStatusCode.Forbidden)).Str("detail"));
        await link.AssertProblem(HttpStatusCode.Forbidden);
        await leadOfAnotherTeam.AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(events, await api.EventCount());
        var admin = await _cast.Admin.Post("/api/action-items", new { title = "Pin the pricing cache", team = "payments", owner = "olga",
            source = new { kind = "postmortem", @ref = reference } });
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
    }

    [Fact]
    public async Task an_import_that_creates_nothing_claims_no_ref_so_the_team_that_needs_it_still_can()
    {
        var reference = "pm-squat-" + Guid.NewGuid().ToString("N")[..6];
        var events = await api.EventCount();

        var squat = await _cast.Olga.Import(reference, "## Action items\n\n- TBD\n", team: "payments");

        var problem = await squat.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Contains($"the ref '{reference}' stays free", problem.GetProperty("errors").GetProperty("text")[0].GetString());
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from postmortems where ref = $1", reference));
        Assert.Equal(events, await api.EventCount());
        var owners = await _cast.Lena.Import(reference, Samples.Read("markdown-numbered-action-items.md"));
        Assert.Equal(HttpStatusCode.Created, owners.StatusCode);
        Assert.Equal("platform", await api.Database.Scalar<string>("select team from postmortems where ref = $1", reference));
    }

    [Fact]
    public async Task a_lead_may_claim_a_ref_for_the_team_with_an_import_of_nothing()
    {
        var reference = "pm-claimed-" + Guid.NewGuid().ToString("N")[..6];

        var claim = await _cast.Paul.Import(reference, "## Action items\n\n- TBD\n", team: "payments");

        Assert.Equal(HttpStatusCode.Created, claim.StatusCode);
        Assert.Empty((await claim.Body()).GetProperty("created").EnumerateArray());
        Assert.Equal("payments", await api.Database.Scalar<string>("select team from postmortems where ref = $1", reference));
        await (await _cast.Alice.Import(reference, Samples.Read("markdown-numbered-action-items.md"))).AssertProblem(HttpStatusCode.Forbidden);
    }
}
