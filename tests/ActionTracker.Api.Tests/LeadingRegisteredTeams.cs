using System.Net;
using System.Net.Http.Json;

namespace ActionTracker.Api.Tests;

/// <summary>Once a team is registered, its leads list decides who leads it; before that, a lead role with the team does.</summary>
public sealed class LeadingRegisteredTeams(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static string NewTeam() => "led-" + Guid.NewGuid().ToString("N")[..8];

    private async Task Register(string team, params string[] leads)
    {
        var put = await api.As("root", [], "admin").PutAsJsonAsync($"/api/teams/{team}", new { name = "Registered", leads });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_lead_by_role_alone_no_longer_leads_a_team_registered_without_them_and_a_listed_lead_does()
    {
        var team = NewTeam();
        var lars = api.As("lars", [team], "lead");
        var lena = api.As("lena", [team], "member");
        var item = await lars.CreateItem(team: team, owner: "ann");
        // Before registration the lead role with the team decides: lars may rule an item out.
        Assert.Equal(HttpStatusCode.OK, (await lars.Post($"/api/action-items/{item}/status", new { status = "wont_do", reason = "Superseded." })).StatusCode);
        await Register(team, "lena");
        var events = await api.EventCount();

        var byLars = await lars.Post($"/api/action-items/{item}/status", new { status = "open" });
        var patchByLars = await lars.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/teams/{team}") { Content = JsonContent.Create(new { name = "Taken over" }) });

        await byLars.AssertProblem(HttpStatusCode.Forbidden);
        await patchByLars.AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(events, await api.EventCount());
        Assert.Equal("Registered", (await (await lena.GetAsync($"/api/teams/{team}")).Body()).Str("name"));

        // lena leads by the list, with a member role.
        Assert.Equal(HttpStatusCode.OK, (await lena.Post($"/api/action-items/{item}/status", new { status = "open" })).StatusCode);
        var patchByLena = await lena.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/teams/{team}") { Content = JsonContent.Create(new { name = "Renamed by its lead" }) });
        Assert.Equal(HttpStatusCode.OK, patchByLena.StatusCode);
    }

    [Fact]
    public async Task a_refusal_says_who_leads_the_registered_team_and_why_a_lead_role_alone_is_not_enough()
    {
        var team = NewTeam();
        var ann = api.As("ann", [team], "member");
        var item = await ann.CreateItem(team: team, owner: "ann");
        await Register(team, "tove", "lena");
        var alice = api.As("alice", [team], "lead");
        var events = await api.EventCount();

        var edit = await alice.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/action-items/{item}") { Content = JsonContent.Create(new { title = "Retitled by a lead in name only" }) });
        var rename = await alice.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/teams/{team}") { Content = JsonContent.Create(new { name = "Taken over" }) });
        var byAMember = await api.As("bo", [team], "member").Post($"/api/action-items/{item}/status", new { status = "in_progress" });

        var because = $"Team '{team}' is led by lena, tove: once a team lists its leads, a lead role alone does not lead it.";
        Assert.EndsWith(because, (await edit.AssertProblem(HttpStatusCode.Forbidden)).Str("detail"));
        Assert.EndsWith(because, (await rename.AssertProblem(HttpStatusCode.Forbidden)).Str("detail"));
        Assert.Equal($"Only the owner, a lead of the team or an admin may change the status. Team '{team}' is led by lena, tove.",
            (await byAMember.AssertProblem(HttpStatusCode.Forbidden)).Str("detail"));
        Assert.Equal(events, await api.EventCount());
    }

    [Fact]
    public async Task a_lead_role_alone_cannot_move_an_item_out_of_a_registered_team()
    {
        var (from, to) = (NewTeam(), NewTeam());
        var lars = api.As("lars", [from, to], "lead");
        var item = await lars.CreateItem(team: from, owner: "ann");
        await Register(from, "tove");

        var move = await lars.Post($"/api/action-items/{item}/assignment", new { owner = "bo", team = to });

        await move.AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(from, (await lars.Item(item)).Str("team"));
        var byTove = await api.As("tove", [from], "member").Post($"/api/action-items/{item}/assignment", new { owner = "bo", team = to });
        Assert.Equal(HttpStatusCode.OK, byTove.StatusCode);
    }

    [Fact]
    public async Task a_team_registered_without_leads_is_led_as_before()
    {
        var team = NewTeam();
        await Register(team);
        var lars = api.As("lars", [team], "lead");
        var item = await lars.CreateItem(team: team, owner: "ann");

        Assert.Equal(HttpStatusCode.OK, (await lars.Post($"/api/action-items/{item}/status", new { status = "wont_do", reason = "Superseded." })).StatusCode);
    }
}
