using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

/// <summary>The service with scheduled digests on (the other fixtures turn them off to keep their receivers quiet).</summary>
public sealed class DigestFixture : ApiFixture
{
    protected override void ConfigureSettings(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.UseSetting("Digest:Enabled", "true");
}

public sealed class SendingWeeklyDigests(DigestFixture api) : IClassFixture<DigestFixture>, IAsyncLifetime
{
    private readonly Cast _cast = new(api);
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.Start();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    /// <summary>Moves the clock to the next Monday at the given UTC time.</summary>
    private DateTimeOffset NextMonday(int hour, int minute = 0)
    {
        var now = api.Clock.GetUtcNow();
        var days = ((int)DayOfWeek.Monday - (int)now.DayOfWeek + 7) % 7;
        var monday = new DateTimeOffset(now.UtcDateTime.Date.AddDays(days == 0 ? 7 : days), TimeSpan.Zero).AddHours(hour).AddMinutes(minute);
        api.Clock.Set(monday);
        return monday;
    }

    private async Task<string> Team(string timeZone = "Europe/Berlin")
    {
        var team = "dig-" + Guid.NewGuid().ToString("N")[..6];
        var lead = api.As("lead-" + team, [team], "lead");
        var put = await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lead-" + team }, notifyUrl = $"{_receiver.Url}/{team}", timeZone });
        Assert.True(put.IsSuccessStatusCode);
        return team;
    }

    private static void DigestsOn(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.UseSetting("Digest:Enabled", "true");

    private static async Task RunDue(IServiceProvider host)
    {
        await host.RunDue();
    }

    [Fact]
    public async Task a_digest_goes_out_once_per_team_and_week_at_the_teams_local_time_even_with_two_replicas_and_a_restart()
    {
        NextMonday(hour: 6);
        var team = await Team("Europe/Berlin"); // 09:00 in Berlin is 08:00 UTC in winter
        await using (var second = await Replica.Start(api, settings: DigestsOn))
        {
            api.Clock.Advance(TimeSpan.FromHours(1.9)); // 08:54 Berlin
            await Task.WhenAll(RunDue(api.Services), RunDue(second.Services));
            Assert.Empty(_receiver.Bodies($"/{team}"));

            api.Clock.Advance(TimeSpan.FromMinutes(10)); // 09:04 Berlin
            await Task.WhenAll(RunDue(api.Services), RunDue(second.Services), RunDue(api.Services), RunDue(second.Services));
        }
        await using (var restarted = await Replica.Start(api, settings: DigestsOn))
        {
            api.Clock.Advance(TimeSpan.FromHours(3));
            await Task.WhenAll(RunDue(api.Services), RunDue(restarted.Services));
        }

        var sent = Assert.Single(_receiver.Bodies($"/{team}"));
        Assert.Equal("weekly_digest", sent.Str("kind"));
        Assert.Contains("All clear", sent.Str("text"));
        Assert.Equal(1L, await api.Database.Scalar<long>("select count(*) from weekly_digests where team = $1", team));
        var run = await (await _cast.Admin.PostAsync("/api/digests/weekly/run", null)).Body();
        Assert.False(run.GetProperty("teams").EnumerateArray().Single(t => t.Str("team") == team).GetProperty("published").GetBoolean());
    }

    [Fact]
    public async Task the_digest_lists_what_is_overdue_due_this_week_completed_and_postponed_last_week_with_the_trend()
    {
        var monday = NextMonday(hour: 7);
        api.Clock.Set(monday.AddDays(-10)); // the Friday before last
        var team = await Team("UTC");
        var lead = api.As("lead-" + team, [team], "lead");
        var late = await lead.CreateItem(team: team, owner: "ann", title: "Rotate the on-call pager keys", dueAt: monday.AddDays(-3).ToString("O"));
        var closed = await lead.CreateItem(team: team, owner: "ben", title: "Add a canary stage");
        var moved = await lead.CreateItem(team: team, owner: "ann", title: "Document the failover", dueAt: monday.AddDays(-2).ToString("O"));
        var soon = await lead.CreateItem(team: team, owner: "ben", title: "Alert on queue depth", dueAt: monday.AddDays(3).ToString("O"));
        api.Clock.Set(monday.AddDays(-4));
        await lead.Post($"/api/action-items/{closed}/status", new { status = "done" });
        await lead.Post($"/api/action-items/{moved}/due-date", new { dueAt = monday.AddDays(20).ToString("O"), reason = "Waiting for the new region." });
        api.Clock.Set(monday.AddHours(3)); // 10:00 UTC Monday

        var run = await (await _cast.Admin.PostAsync("/api/digests/weekly/run", null)).Body();
        Assert.True(run.GetProperty("teams").EnumerateArray().Single(t => t.Str("team") == team).GetProperty("published").GetBoolean());
        await RunDue(api.Services);

        var digest = (await (await lead.GetAsync($"/api/digests/weekly/latest?team={team}")).Body());
        var teamDigest = digest.GetProperty("teams").EnumerateArray().Single();
        static Guid[] Ids(JsonElement e, string list) => e.GetProperty(list).EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToArray();
        Assert.Equal([late], Ids(teamDigest, "overdue"));
        Assert.Equal([soon], Ids(teamDigest, "dueThisWeek"));
        Assert.Equal([closed], Ids(teamDigest, "completedLastWeek"));
        Assert.Equal([moved], Ids(teamDigest, "postponedLastWeek"));
        Assert.Equal(1, teamDigest.GetProperty("trend").GetProperty("overdueNow").GetInt32());
        Assert.False(teamDigest.GetProperty("allClear").GetBoolean());
        Assert.Equal(ActionTracker.Api.Reports.IsoWeeks.Name(monday), digest.Str("week"));
        var sent = Assert.Single(_receiver.Bodies($"/{team}"), b => b.Str("kind") == "weekly_digest");
        Assert.Contains("Rotate the on-call pager keys", sent.Str("text"));
        Assert.StartsWith($"Weekly digest for {team}", sent.Str("text"));

        var byWeek = await lead.GetAsync($"/api/digests/weekly/{digest.Str("week")}?team={team}");
        Assert.Equal(teamDigest.ToString(), (await byWeek.Body()).GetProperty("teams")[0].ToString());

        var page = new HttpRequestMessage(HttpMethod.Get, $"/api/digests/weekly/latest?team={team}");
        page.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        var html = await lead.SendAsync(page);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        var body = await html.Content.ReadAsStringAsync();
        Assert.Contains("Rotate the on-call pager keys", body);
        Assert.Contains("1 overdue", body);
    }

    [Fact]
    public async Task a_team_registered_after_this_weeks_digest_time_gets_its_first_digest_next_week()
    {
        NextMonday(hour: 12);
        var team = await Team("UTC"); // after 09:00 UTC

        await RunDue(api.Services);
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from weekly_digests where team = $1", team));

        api.Clock.Advance(TimeSpan.FromDays(7));
        await RunDue(api.Services);
        Assert.Single(_receiver.Bodies($"/{team}"));
    }

    [Fact]
    public async Task the_items_of_a_team_nobody_registered_get_a_digest_too()
    {
        NextMonday(hour: 6);
        var team = "unreg-" + Guid.NewGuid().ToString("N")[..6];
        var member = api.As("member-" + team, [team], "member");
        var item = await member.CreateItem(team: team, owner: "member-" + team, dueAt: api.Clock.GetUtcNow().AddDays(2).ToString("yyyy-MM-dd"));

        api.Clock.Advance(TimeSpan.FromHours(3.1)); // past 09:00 UTC
        await RunDue(api.Services);

        var response = await member.GetAsync($"/api/digests/weekly/latest?team={team}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var digest = (await response.Body()).GetProperty("teams").EnumerateArray().Single();
        Assert.Equal(team, digest.Str("team"));
        Assert.Contains(item.ToString(), digest.GetProperty("dueThisWeek").EnumerateArray().Select(i => i.Str("id")));
    }

    [Fact]
    public async Task an_old_item_moved_into_a_new_team_mid_week_does_not_bring_that_teams_digest_forward()
    {
        NextMonday(hour: 6);
        var (from, to) = ("unreg-" + Guid.NewGuid().ToString("N")[..6], "unreg-" + Guid.NewGuid().ToString("N")[..6]);
        var lead = api.As("lead-" + from, [from, to], "lead");
        var item = await lead.CreateItem(team: from, owner: "ann");
        await lead.CreateItem(team: from, owner: "ann", title: "Alert on resolver errors");

        api.Clock.Advance(TimeSpan.FromHours(30)); // Tuesday noon
        await lead.Post($"/api/action-items/{item}/assignment", new { owner = "bo", team = to });
        await RunDue(api.Services);

        Assert.Equal(1L, await api.Database.Scalar<long>("select count(*) from weekly_digests where team = $1", from));
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from weekly_digests where team = $1", to));
    }

    [Fact]
    public async Task digests_are_read_by_week_and_only_admins_run_them()
    {
        NextMonday(hour: 12);
        var team = await Team("UTC");
        await (await _cast.Alice.PostAsync("/api/digests/weekly/run", null)).AssertProblem(HttpStatusCode.Forbidden);
        await _cast.Admin.PostAsync("/api/digests/weekly/run", null);

        await (await _cast.Alice.GetAsync($"/api/digests/weekly/2001-W01?team={team}")).AssertProblem(HttpStatusCode.NotFound);
        await (await _cast.Alice.GetAsync("/api/digests/weekly/2026-W99")).AssertProblem(HttpStatusCode.BadRequest);
        await (await _cast.Alice.GetAsync("/api/digests/weekly/last-week")).AssertProblem(HttpStatusCode.BadRequest);

        var all = await (await _cast.Admin.GetAsync("/api/digests/weekly/latest")).Body();
        Assert.Contains(team, all.GetProperty("teams").EnumerateArray().Select(t => t.Str("team")));
        // A member without a team filter sees their own teams' digests only.
        var member = api.As("member-" + team, [team], "member");
        var own = await (await member.GetAsync("/api/digests/weekly/latest")).Body();
        Assert.Equal([team], own.GetProperty("teams").EnumerateArray().Select(t => t.Str("team")));
        // A service, a member of no team, reads every team's like an admin.
        var service = await (await _cast.Importer.GetAsync("/api/digests/weekly/latest")).Body();
        Assert.Contains(team, service.GetProperty("teams").EnumerateArray().Select(t => t.Str("team")));
    }
}
