using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ActionTracker.Api.Tests;

/// <summary>
/// A team's policy through the API: its leads override parts of the organisation's (due dates,
/// the ladder), every version is kept, and a refused change changes nothing (issue 24).
/// </summary>
public sealed class SettingATeamsPolicy(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static string NewTeam() => "pol-" + Guid.NewGuid().ToString("N")[..8];

    private const string FourSteps = """
        {"dueIn": {"critical": "P3D"},
         "ladder": [{"after": "PT0S", "notify": ["owner"]}, {"after": "P1D", "notify": ["leads"]},
                    {"after": "P2D", "notify": ["escalationContact"]}, {"after": "P4D", "notify": ["admins", "person:cto"]}]}
        """;

    internal static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    /// <summary>Plays the scheduled checks until those they schedule in turn, for times already past, have run too.</summary>
    private async Task Settle()
    {
        for (var round = 0; round < 5; round++)
            await api.Services.RunDue();
    }

    private static async Task<JsonElement> Policy(HttpClient client, string team)
    {
        var response = await client.GetAsync($"/api/teams/{team}/policy");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Body();
    }

    [Fact]
    public async Task when_a_lead_gives_the_team_a_four_step_ladder_and_three_day_critical_deadlines_other_teams_keep_the_organisation_s()
    {
        var (team, other) = (NewTeam(), NewTeam());
        var lead = api.As("lena", [team, other], "lead");

        var put = await Send(lead, HttpMethod.Put, $"/api/teams/{team}/policy", FourSteps);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("\"1\"", put.Headers.ETag?.Tag);
        var policy = await Policy(lead, team);
        Assert.Equal(1, policy.GetProperty("version").GetInt64());
        Assert.Equal(["PT0S", "P1D", "P2D", "P4D"], policy.GetProperty("ladder").EnumerateArray().Select(s => s.Str("after")));
        Assert.Equal("P3D", policy.GetProperty("dueIn").Str("critical"));
        Assert.Equal("P30D", policy.GetProperty("dueIn").Str("high")); // the organisation's, not overridden
        var overrides = policy.GetProperty("overrides");
        Assert.Equal(["dueIn", "ladder"], overrides.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["critical"], overrides.GetProperty("dueIn").EnumerateObject().Select(p => p.Name));

        var ours = await lead.Item(await lead.CreateItem(team: team, priority: "critical"));
        var theirs = await lead.Item(await lead.CreateItem(team: other, priority: "critical"));
        Assert.Equal(api.Clock.GetUtcNow().AddDays(3), ours.GetProperty("dueAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        Assert.Equal(api.Clock.GetUtcNow().AddDays(7), theirs.GetProperty("dueAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        Assert.Equal(3, (await Policy(lead, other)).GetProperty("ladder").GetArrayLength());
        Assert.Equal(0, (await Policy(lead, other)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_patch_merges_null_removes_an_override_and_the_history_names_each_version_s_actor_and_fields()
    {
        var team = NewTeam();
        var lena = api.As("lena", [team], "lead");
        await Send(lena, HttpMethod.Put, $"/api/teams/{team}/policy", FourSteps);

        var patched = await Send(api.As("root", [], "admin"), HttpMethod.Patch, $"/api/teams/{team}/policy",
            """{"dueIn": {"critical": null, "low": "P120D"}, "skipWeekends": true}""", ifMatch: "\"1\"");
        var removed = await Send(lena, HttpMethod.Patch, $"/api/teams/{team}/policy", """{"ladder": null}""");

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        var policy = await Policy(lena, team);
        Assert.Equal("P7D", policy.GetProperty("dueIn").Str("critical"));
        Assert.Equal("P120D", policy.GetProperty("dueIn").Str("low"));
        Assert.True(policy.GetProperty("skipWeekends").GetBoolean());
        Assert.Equal(3, policy.GetProperty("ladder").GetArrayLength()); // the organisation's again
        Assert.Equal(["dueIn", "skipWeekends"], policy.GetProperty("overrides").EnumerateObject().Select(p => p.Name));

        var changes = (await (await lena.GetAsync($"/api/teams/{team}/policy/history")).Body()).GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L], changes.Select(c => c.GetProperty("version").GetInt64()));
        Assert.Equal(["lena", "root", "lena"], changes.Select(c => c.Str("actor")));
        Assert.Equal(
            [["dueIn.critical", "ladder"], ["dueIn.critical", "dueIn.low", "skipWeekends"], ["ladder"]],
            changes.Select(c => c.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).ToArray()));
    }

    [Fact]
    public async Task a_change_from_a_stale_version_is_a_412_and_changes_nothing()
    {
        var team = NewTeam();
        var lead = api.As("lena", [team], "lead");
        await Send(lead, HttpMethod.Put, $"/api/teams/{team}/policy", """{"remindBefore": "P3D"}""");
        await Send(lead, HttpMethod.Patch, $"/api/teams/{team}/policy", """{"quietPeriod": "PT12H"}""");

        var stale = await Send(lead, HttpMethod.Put, $"/api/teams/{team}/policy", """{"remindBefore": "P1D"}""", ifMatch: "\"1\"");

        await stale.AssertProblem(HttpStatusCode.PreconditionFailed);
        var policy = await Policy(lead, team);
        Assert.Equal(2, policy.GetProperty("version").GetInt64());
        Assert.Equal("P3D", policy.Str("remindBefore"));
    }

    [Theory]
    [InlineData("""{"ladder": [{"after": "PT0S", "notify": ["owner"]}, {"after": "PT0S", "notify": ["leads"]}]}""", "ladder[1].after")]
    [InlineData("""{"ladder": [{"after": "P1D", "notify": ["owner"]}]}""", "ladder[0].after")]
    [InlineData("""{"ladder": []}""", "ladder")]
    [InlineData("""{"ladder": [{"after": "PT0S", "notify": ["owner"]}, {"after": "P1D", "notify": ["boss"]}]}""", "ladder[1].notify")]
    [InlineData("""{"ladder": [{"after": "PT0S", "notify": ["owner"], "when": "always"}]}""", "ladder[0].when")]
    [InlineData("""{"dueIn": {"critical": "-P1D"}}""", "dueIn.critical")]
    [InlineData("""{"dueIn": {"urgent": "P1D"}}""", "dueIn.urgent")]
    [InlineData("""{"remindBefore": ""}""", "remindBefore")]
    [InlineData("""{"quietPeriod": "a day"}""", "quietPeriod")]
    [InlineData("""{"skipWeekends": "yes"}""", "skipWeekends")]
    [InlineData("""{"escalateAfter": "P3D"}""", "escalateAfter")]
    public async Task an_invalid_policy_is_a_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var team = NewTeam();
        var lead = api.As("lena", [team], "lead");
        await Send(lead, HttpMethod.Put, $"/api/teams/{team}/policy", """{"remindBefore": "P3D"}""");

        var refused = await Send(lead, HttpMethod.Patch, $"/api/teams/{team}/policy", body);

        var problem = await refused.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"names {field}: {problem}");
        Assert.Equal(1, (await Policy(lead, team)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_ladder_of_eleven_steps_is_refused()
    {
        var team = NewTeam();
        var steps = string.Join(", ", Enumerable.Range(0, 11).Select(i => $$"""{"after": "P{{i}}D", "notify": ["owner"]}""").Select((s, i) => i == 0 ? s.Replace("P0D", "PT0S") : s));

        var refused = await Send(api.As("lena", [team], "lead"), HttpMethod.Put, $"/api/teams/{team}/policy", $$"""{"ladder": [{{steps}}]}""");

        Assert.True((await refused.AssertProblem(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("ladder", out _));
    }

    [Fact]
    public async Task only_the_team_s_listed_leads_and_admins_may_change_its_policy()
    {
        var team = NewTeam();
        var lead = api.As("lena", [team], "lead");
        Assert.True((await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" } })).IsSuccessStatusCode);

        var member = await Send(api.As("ann", [team], "member"), HttpMethod.Patch, $"/api/teams/{team}/policy", """{"remindBefore": "PT1H"}""");
        var unlisted = await Send(api.As("luis", [team], "lead"), HttpMethod.Patch, $"/api/teams/{team}/policy", """{"remindBefore": "PT1H"}""");

        await member.AssertProblem(HttpStatusCode.Forbidden);
        Assert.Contains("lena", (await unlisted.AssertProblem(HttpStatusCode.Forbidden)).Str("detail"));
        Assert.Equal(0, (await Policy(lead, team)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_ladder_changed_between_steps_applies_from_the_next_step_and_the_steps_taken_stay()
    {
        var team = NewTeam();
        var lead = api.As("lena", [team], "lead");
        var id = await lead.CreateItem(team: team, priority: "critical"); // the organisation's: due in 7 days, leads after 3 more
        api.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await Settle();
        Assert.Equal(1, (await lead.Item(id)).GetProperty("escalationLevel").GetInt32());

        // Now the leads come in after a day overdue, and a fourth step after two.
        Assert.Equal(HttpStatusCode.OK, (await Send(lead, HttpMethod.Put, $"/api/teams/{team}/policy", """
            {"ladder": [{"after": "PT0S", "notify": ["owner"]}, {"after": "P1D", "notify": ["leads"]},
                        {"after": "P2D", "notify": ["escalationContact"]}, {"after": "P3D", "notify": ["admins"]}]}
            """)).StatusCode);
        api.Clock.Advance(TimeSpan.FromDays(1));
        await Settle();
        Assert.Equal(2, (await lead.Item(id)).GetProperty("escalationLevel").GetInt32());
        api.Clock.Advance(TimeSpan.FromDays(5));
        await Settle();

        var history = (await (await lead.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray()
            .Where(e => e.Str("type") is "action_item_overdue" or "action_item_escalated").ToList();
        // The overdue step is level 1; each escalation names its level.
        Assert.Equal([1, 2, 3, 4], history.Select(e => e.Str("type") == "action_item_overdue" ? 1 : e.GetProperty("data").GetProperty("level").GetInt32()));
        // Level 2 was taken a day overdue (the new ladder), not three days (the organisation's).
        var dueAt = (await lead.Item(id)).GetProperty("dueAt").GetDateTimeOffset();
        Assert.Equal(dueAt.AddDays(1), history[1].GetProperty("occurredAt").GetDateTimeOffset(), TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task an_item_moved_to_another_team_climbs_that_team_s_ladder()
    {
        var (from, to) = (NewTeam(), NewTeam());
        var lead = api.As("lena", [from, to], "lead");
        Assert.Equal(HttpStatusCode.OK, (await Send(lead, HttpMethod.Put, $"/api/teams/{to}/policy",
            """{"ladder": [{"after": "PT0S", "notify": ["owner"]}, {"after": "PT6H", "notify": ["leads"]}]}""")).StatusCode);
        var id = await lead.CreateItem(team: from, priority: "critical");
        Assert.Equal(HttpStatusCode.OK, (await lead.Post($"/api/action-items/{id}/assignment", new { owner = "alice", team = to })).StatusCode);

        api.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(6) + TimeSpan.FromMinutes(1));
        await Settle();

        Assert.Equal(2, (await lead.Item(id)).GetProperty("escalationLevel").GetInt32()); // under the organisation's, still 1 for 3 days
    }

    [Fact]
    public async Task with_skip_weekends_a_default_due_date_on_a_saturday_moves_to_the_monday_after()
    {
        var team = NewTeam();
        var lead = api.As("lena", [team], "lead");
        var now = api.Clock.GetUtcNow();
        var toSaturday = ((int)DayOfWeek.Saturday - (int)now.DayOfWeek + 7) % 7;
        var days = toSaturday == 0 ? 7 : toSaturday;
        Assert.Equal(HttpStatusCode.OK, (await Send(lead, HttpMethod.Put, $"/api/teams/{team}/policy",
            $$"""{"dueIn": {"low": "P{{days}}D"}, "skipWeekends": true}""")).StatusCode);

        var item = await lead.Item(await lead.CreateItem(team: team, priority: "low"));

        var due = item.GetProperty("dueAt").GetDateTimeOffset();
        Assert.Equal(DayOfWeek.Monday, due.UtcDateTime.DayOfWeek);
        Assert.Equal(now.AddDays(days + 2), due, TimeSpan.FromSeconds(1));
    }
}

/// <summary>The "done when": a team's own four-step ladder, climbed once per step on two replicas of one database.</summary>
public sealed class ClimbingATeamsLadderOnTwoReplicas(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task an_item_of_a_team_with_its_own_four_step_ladder_climbs_each_step_once_across_two_instances()
    {
        await using var receiver = await WebhookReceiver.Start();
        await using var second = await Replica.Start(api);
        var team = "rep4-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        Assert.True((await lead.PutAsJsonAsync($"/api/teams/{team}",
            new { leads = new[] { "lena" }, escalationContact = "vp-eng", notifyUrl = $"{receiver.Url}/{team}" })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SettingATeamsPolicy.Send(lead, HttpMethod.Put, $"/api/teams/{team}/policy", """
            {"dueIn": {"critical": "P3D"}, "remindBefore": "P2D",
             "ladder": [{"after": "PT0S", "notify": ["owner"]}, {"after": "P1D", "notify": ["leads"]},
                        {"after": "P2D", "notify": ["escalationContact"]}, {"after": "P4D", "notify": ["person:cto"]}]}
            """)).StatusCode);
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++)
            ids.Add(await lead.CreateItem(team: team, owner: "alice", priority: "critical"));
        var hosts = new IServiceProvider[] { api.Services, second.Services };

        // Reminder a day in, overdue at three days, then the steps at four, five and seven: both
        // instances poll at each, concurrently, several times over.
        foreach (var step in new[] { 1.0, 2.0, 1.0, 1.0, 2.0 })
        {
            api.Clock.Advance(TimeSpan.FromDays(step) + TimeSpan.FromMinutes(1));
            for (var round = 0; round < 3; round++)
                await Task.WhenAll(hosts.SelectMany(h => Enumerable.Range(0, 2).Select(_ => Task.Run(() => h.RunDue()))));
        }

        foreach (var id in ids)
        {
            var steps = (await (await lead.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray()
                .Where(e => e.Str("type") is "action_item_due_soon" or "action_item_overdue" or "action_item_escalated").ToList();
            Assert.Equal(["action_item_due_soon", "action_item_overdue", "action_item_escalated", "action_item_escalated", "action_item_escalated"],
                steps.Select(e => e.Str("type")));
            Assert.Equal(["cto"], steps[^1].GetProperty("data").GetProperty("notified").EnumerateArray().Select(s => s.GetString()));
            var sent = receiver.Bodies($"/{team}").Where(b => b.GetProperty("item").GetProperty("id").GetGuid() == id);
            Assert.Equal([0, 1, 2, 3, 4], sent.Select(b => b.GetProperty("level").GetInt32()));
        }
        Assert.Equal(ids.Count * 5, receiver.Received.Count);
    }
}
