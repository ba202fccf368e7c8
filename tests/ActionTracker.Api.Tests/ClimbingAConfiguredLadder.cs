using Microsoft.AspNetCore.Hosting;
using System.Net;
using System.Text.Json;

namespace ActionTracker.Api.Tests;

/// <summary>An organisation whose configuration gives a four-step ladder, as a list, with an admin to escalate to.</summary>
public sealed class FourStepLadderFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("Policies:RemindBefore", "1.00:00:00");
        builder.UseSetting("Policies:Ladder:0:After", "00:00:00");
        builder.UseSetting("Policies:Ladder:0:Notify:0", "owner");
        builder.UseSetting("Policies:Ladder:1:After", "1.00:00:00");
        builder.UseSetting("Policies:Ladder:1:Notify:0", "leads");
        builder.UseSetting("Policies:Ladder:2:After", "2.00:00:00");
        builder.UseSetting("Policies:Ladder:2:Notify:0", "escalationContact");
        builder.UseSetting("Policies:Ladder:3:After", "4.00:00:00");
        builder.UseSetting("Policies:Ladder:3:Notify:0", "admins");
        builder.UseSetting("Policies:Ladder:3:Notify:1", "person:cto");
        builder.UseSetting("Policies:Admins:0", "erin");
        builder.UseSetting("Policies:DueIn:Critical", "3.00:00:00");
    }
}

/// <summary>
/// The ladder as data, from the outside: the organisation's policy is served as configured, and an
/// item climbs every step of it once, each step's event and notification naming whom it notified.
/// </summary>
public sealed class ClimbingAConfiguredLadder(FourStepLadderFixture api) : IClassFixture<FourStepLadderFixture>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private string _team = "";
    private HttpClient _owner = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.Start();
        _team = "ladder-" + Guid.NewGuid().ToString("N")[..8];
        _owner = api.As("alice", [_team], "member");
        var lead = api.As("lena", [_team], "lead");
        var put = await lead.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/teams/{_team}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new
            {
                leads = new[] { "lena", "luis" },
                escalationContact = "vp-eng",
                notifyUrl = $"{_receiver.Url}/{_team}",
            }),
        });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    private async Task Tick(TimeSpan by)
    {
        api.Clock.Advance(by);
        await api.Services.RunDue();
    }

    [Fact]
    public async Task the_organisation_s_policy_is_served_with_its_ladder_as_a_list_of_iso_durations()
    {
        var policy = await (await _owner.GetAsync("/api/policy")).Body();

        Assert.Equal("P3D", policy.GetProperty("dueIn").Str("critical"));
        Assert.Equal("P60D", policy.GetProperty("dueIn").Str("medium"));
        Assert.Equal("P1D", policy.Str("remindBefore"));
        var ladder = policy.GetProperty("ladder").EnumerateArray().ToList();
        Assert.Equal(["PT0S", "P1D", "P2D", "P4D"], ladder.Select(s => s.Str("after")));
        Assert.Equal(["admins", "person:cto"], ladder[3].GetProperty("notify").EnumerateArray().Select(t => t.GetString()));
        Assert.False(policy.GetProperty("skipWeekends").GetBoolean());
    }

    [Fact]
    public async Task an_item_climbs_all_four_steps_once_each_naming_whom_it_notified()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical"); // due in 3 days
        var item = await _owner.Item(id);
        Assert.Equal(api.Clock.GetUtcNow().AddDays(3), item.GetProperty("dueAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));

        // Every step a day or more after the one before, so no notification is held back.
        foreach (var days in new[] { 2, 1, 1, 1, 2, 30 })
            await Tick(TimeSpan.FromDays(days) + TimeSpan.FromMinutes(1));

        Assert.Equal(4, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());
        var steps = (await (await _owner.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray()
            .Where(e => e.Str("type") is "action_item_overdue" or "action_item_escalated").ToList();
        Assert.Equal(4, steps.Count);
        Assert.Equal(
            [["alice"], ["lena", "luis"], ["vp-eng"], ["erin", "cto"]],
            steps.Select(Notified));

        var sent = _receiver.Bodies($"/{_team}");
        Assert.Equal([0, 1, 2, 3, 4], sent.Select(n => n.GetProperty("level").GetInt32()));
        Assert.Equal(["erin", "cto"], sent[4].GetProperty("escalatedTo").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("Escalation level 4", sent[4].Str("text"));
    }

    private static string[] Notified(JsonElement historyEvent) =>
        [.. historyEvent.GetProperty("data").GetProperty("notified").EnumerateArray().Select(s => s.GetString()!)];
}
