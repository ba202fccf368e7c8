using System.Net;
using System.Text.Json;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

/// <summary>
/// Reminders and the escalation ladder, on the test's clock: the test moves time, then lets the
/// scheduler and the outbox do what is due, as the background loops would.
/// </summary>
public sealed class Escalating(ApiFixture api) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    private readonly Cast _cast = new(api);
    private WebhookReceiver _receiver = null!;
    private string _team = "";
    private HttpClient _lead = null!;
    private HttpClient _owner = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.Start();
        // A team of its own per test, so notifications and lists do not mix.
        _team = "esc-" + Guid.NewGuid().ToString("N")[..8];
        _lead = api.As("lena", [_team], "lead");
        _owner = api.As("alice", [_team], "member");
        var put = await _lead.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/teams/{_team}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new
            {
                name = "Escalation testers",
                leads = new[] { "lena", "luis" },
                escalationContact = "vp-eng",
                notifyUrl = $"{_receiver.Url}/{_team}",
                timeZone = "Europe/Berlin",
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

    /// <summary>Messages about the item still waiting in Wolverine's schedule (checks, held-back notices, retries).</summary>
    private Task<long> ScheduledFor(Guid id, string type = "%") => api.Database.Scalar<long>(
        "select count(*) from wolverine.wolverine_incoming_envelopes where status = 'Scheduled' and message_type like $2 and position(convert_to($1, 'UTF8') in body) > 0",
        id.ToString(), type);

    private List<JsonElement> Notifications() => _receiver.Bodies($"/{_team}");

    private async Task<List<string>> LadderEvents(Guid id) =>
        (await (await _owner.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray()
        .Select(e => e.Str("type"))
        .Where(t => t is "action_item_due_soon" or "action_item_overdue" or "action_item_escalated")
        .ToList();

    [Fact]
    public async Task an_item_past_its_due_date_is_reminded_marked_overdue_and_escalated_through_both_levels_once()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical"); // due in 7 days

        await Tick(TimeSpan.FromDays(4));
        Assert.Empty(Notifications());

        await Tick(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1)); // 2 days before the due date
        Assert.Equal(["due_soon"], Notifications().Select(n => n.Str("kind")));

        await Tick(TimeSpan.FromDays(2)); // past the due date: level 1, the owner
        var item = await _owner.Item(id);
        Assert.True(item.GetProperty("overdue").GetBoolean());
        Assert.Equal(1, item.GetProperty("escalationLevel").GetInt32());

        await Tick(TimeSpan.FromDays(3)); // level 2, the leads
        Assert.Equal(2, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());
        await Tick(TimeSpan.FromDays(4)); // level 3, the escalation contact
        Assert.Equal(3, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());
        await Tick(TimeSpan.FromDays(30)); // nothing further
        await Tick(TimeSpan.FromDays(30));

        var sent = Notifications();
        Assert.Equal(["due_soon", "overdue", "escalated", "escalated"], sent.Select(n => n.Str("kind")));
        Assert.Equal([0, 1, 2, 3], sent.Select(n => n.GetProperty("level").GetInt32()));
        Assert.Equal(["alice"], sent[1].GetProperty("escalatedTo").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["lena", "luis"], sent[2].GetProperty("escalatedTo").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["vp-eng"], sent[3].GetProperty("escalatedTo").EnumerateArray().Select(e => e.GetString()));
        Assert.All(sent, n => Assert.Equal(id, n.GetProperty("item").GetProperty("id").GetGuid()));
        Assert.All(sent, n => Assert.Contains("Pin the deployment controller version", n.Str("text")));
        Assert.Equal(["action_item_due_soon", "action_item_overdue", "action_item_escalated", "action_item_escalated"], await LadderEvents(id));
    }

    [Fact]
    public async Task a_completed_item_is_never_reminded_or_escalated()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical");
        await _owner.Post($"/api/action-items/{id}/status", new { status = "done" });

        await Tick(TimeSpan.FromDays(6));
        await Tick(TimeSpan.FromDays(30));

        Assert.Empty(await LadderEvents(id));
        Assert.Empty(Notifications());
        Assert.Equal(0L, await ScheduledFor(id)); // the check armed at creation ran, saw a finished item, and armed nothing
    }

    [Fact]
    public async Task a_new_due_date_stops_the_ladder_and_arms_it_again_for_the_new_date()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical");
        await Tick(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());

        var newDue = api.Clock.GetUtcNow().AddDays(10);
        var moved = await _lead.Post($"/api/action-items/{id}/due-date", new { dueAt = newDue.ToString("O"), reason = "Waiting for the vendor fix." });
        Assert.Equal(0, (await moved.Body()).GetProperty("escalationLevel").GetInt32());

        await Tick(TimeSpan.FromDays(4)); // the old date's level 2 would have been now
        Assert.Equal(0, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());
        await Tick(TimeSpan.FromDays(4) + TimeSpan.FromMinutes(1)); // 2 days before the new date
        await Tick(TimeSpan.FromDays(2)); // the new date passed

        // The first jump went straight past the old date, so no stale reminder was recorded for it.
        Assert.Equal(["action_item_overdue", "action_item_due_soon", "action_item_overdue"], await LadderEvents(id));
        Assert.Equal(1, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());
    }

    [Fact]
    public async Task reopening_an_overdue_item_resumes_the_ladder()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical");
        await Tick(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await _owner.Post($"/api/action-items/{id}/status", new { status = "done" });
        await Tick(TimeSpan.FromDays(4));
        Assert.Equal(["action_item_overdue"], await LadderEvents(id));

        await _lead.Post($"/api/action-items/{id}/status", new { status = "open", reason = "The fix did not hold." });
        await Tick(TimeSpan.FromMinutes(1));

        Assert.Equal(["action_item_overdue", "action_item_escalated"], await LadderEvents(id));
        Assert.Equal(2, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());
    }

    [Fact]
    public async Task a_second_reminder_within_a_day_of_the_last_notification_is_recorded_but_not_sent()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical", dueAt: api.Clock.GetUtcNow().AddDays(1).ToString("O"));
        await Tick(TimeSpan.FromMinutes(1));
        Assert.Single(Notifications());

        // A new date still inside the reminder window: a second reminder, recorded but not sent.
        await _lead.Post($"/api/action-items/{id}/due-date", new { dueAt = api.Clock.GetUtcNow().AddHours(36).ToString("O"), reason = "One more day." });
        await Tick(TimeSpan.FromMinutes(1));
        Assert.Equal(["action_item_due_soon", "action_item_due_soon"], await LadderEvents(id));
        Assert.Single(Notifications());

        await Tick(TimeSpan.FromHours(36)); // overdue, more than a day after the one reminder sent
        Assert.Equal(["due_soon", "overdue"], Notifications().Select(n => n.Str("kind")));
    }

    [Fact]
    public async Task an_item_due_within_a_day_of_its_reminder_is_overdue_at_once_but_notified_a_day_after_the_reminder()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical", dueAt: api.Clock.GetUtcNow().AddHours(12).ToString("O"));
        await Tick(TimeSpan.FromMinutes(1));
        Assert.Equal(["due_soon"], Notifications().Select(n => n.Str("kind")));

        await Tick(TimeSpan.FromHours(12)); // due: overdue now, but the reminder went out 12 hours ago
        Assert.Equal(1, (await _owner.Item(id)).GetProperty("escalationLevel").GetInt32());
        Assert.Equal(["action_item_due_soon", "action_item_overdue"], await LadderEvents(id));
        Assert.Equal(["due_soon"], Notifications().Select(n => n.Str("kind")));

        await Tick(TimeSpan.FromHours(12)); // a day after the reminder
        Assert.Equal(["due_soon", "overdue"], Notifications().Select(n => n.Str("kind")));
    }

    [Fact]
    public async Task a_held_back_overdue_notice_is_dropped_when_the_item_is_completed_before_it_goes_out()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical", dueAt: api.Clock.GetUtcNow().AddHours(12).ToString("O"));
        await Tick(TimeSpan.FromMinutes(1));
        await Tick(TimeSpan.FromHours(12)); // overdue, its notice held back until a day after the reminder

        await _owner.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Fixed in the morning." });
        await Tick(TimeSpan.FromHours(12));

        Assert.Equal(["due_soon"], Notifications().Select(n => n.Str("kind")));
        Assert.Equal(0L, await ScheduledFor(id, "team-notification")); // played, found outdated, dropped
    }

    [Fact]
    public async Task a_failing_receiver_gets_the_notification_again_until_it_accepts_it()
    {
        var id = await _owner.CreateItem(team: _team, owner: "alice", priority: "critical");
        _receiver.FailNext(2);

        await Tick(TimeSpan.FromDays(5) + TimeSpan.FromMinutes(1)); // the reminder: refused
        Assert.True(_receiver.Refused >= 1);
        // Retried on the retry schedule (a round may play more than one retry: their backoff is
        // due at once in tests) until the receiver takes it.
        for (var round = 0; round < 5 && Notifications().Count == 0; round++)
            await Tick(TimeSpan.FromMinutes(5));

        Assert.Equal(2, _receiver.Refused);
        Assert.Equal(["due_soon"], Notifications().Select(n => n.Str("kind")));
        await Tick(TimeSpan.FromMinutes(30)); // accepted once: not sent again
        Assert.Single(Notifications());
    }

    [Fact]
    public async Task a_notification_being_retried_goes_to_the_notify_url_the_team_has_when_it_is_sent()
    {
        await _owner.CreateItem(team: _team, owner: "alice", priority: "critical");
        _receiver.FailNext(1);
        await Tick(TimeSpan.FromDays(5) + TimeSpan.FromMinutes(1)); // the reminder: refused at the old URL
        Assert.Equal(1, _receiver.Refused);

        var moved = await _lead.PatchAsJsonAsync($"/api/teams/{_team}", new { notifyUrl = $"{_receiver.Url}/{_team}-moved" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        for (var round = 0; round < 5 && _receiver.Received.IsEmpty; round++)
            await Tick(TimeSpan.FromMinutes(5));

        Assert.Equal(["due_soon"], _receiver.Bodies($"/{_team}-moved").Select(n => n.Str("kind")));
        Assert.Empty(Notifications());
    }

    [Fact]
    public async Task a_team_without_a_notify_url_still_gets_its_ladder_recorded()
    {
        var quiet = "quiet-" + Guid.NewGuid().ToString("N")[..8];
        var owner = api.As("alice", [quiet], "member");
        var id = await owner.CreateItem(team: quiet, owner: "alice", priority: "critical");

        await Tick(TimeSpan.FromDays(8));

        Assert.Equal(1, (await owner.Item(id)).GetProperty("escalationLevel").GetInt32());
        Assert.Empty(_receiver.Received);
    }
}
