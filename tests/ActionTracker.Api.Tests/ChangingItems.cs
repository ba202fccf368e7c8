using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

public sealed class ChangingItems(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task when_the_owner_completes_an_overdue_item_it_is_done_and_no_longer_overdue()
    {
        var id = await _cast.Alice.CreateItem(priority: "critical");
        api.Clock.Advance(TimeSpan.FromDays(8));
        Assert.True((await _cast.Alice.Item(id)).GetProperty("overdue").GetBoolean());

        var response = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Pinned to 2.3.1." });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
        var item = await response.Body();
        Assert.Equal("done", item.Str("status"));
        Assert.False(item.GetProperty("overdue").GetBoolean());
        Assert.Equal(DateTimeOffset.Parse(item.Str("updatedAt")), DateTimeOffset.Parse(item.Str("completedAt")));
        Assert.Equal(item.ToString(), (await _cast.Bob.Item(id)).ToString());
    }

    [Fact]
    public async Task an_item_moves_through_its_whole_lifecycle()
    {
        var id = await _cast.Alice.CreateItem();
        var steps = new (HttpClient Who, object Body, string Status)[]
        {
            (_cast.Alice, new { status = "in_progress" }, "in_progress"),
            (_cast.Alice, new { status = "blocked", reason = "Waiting for the vendor." }, "blocked"),
            (_cast.Alice, new { status = "in_progress" }, "in_progress"),
            (_cast.Alice, new { status = "open" }, "open"),
            (_cast.Alice, new { status = "done" }, "done"),
            (_cast.Lena, new { status = "open", reason = "The fix did not hold." }, "open"),
            (_cast.Lena, new { status = "wont_do", reason = "Replaced by the platform migration." }, "wont_do"),
        };
        var version = 1;
        foreach (var (who, body, status) in steps)
        {
            var response = await who.Post($"/api/action-items/{id}/status", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(status, (await response.Body()).Str("status"));
            Assert.Equal($"\"{++version}\"", response.Headers.ETag?.ToString());
        }
    }

    [Fact]
    public async Task asking_for_the_status_an_item_already_has_changes_nothing()
    {
        var id = await _cast.Alice.CreateItem();
        await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "in_progress" });

        var again = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "in_progress" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("\"2\"", again.Headers.ETag?.ToString());
        var history = await (await _cast.Alice.GetAsync($"/api/action-items/{id}/history")).Body();
        Assert.Equal(2, history.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task completing_a_cancelled_item_is_a_conflict_and_changes_nothing()
    {
        var id = await _cast.Alice.CreateItem();
        await _cast.Lena.Post($"/api/action-items/{id}/status", new { status = "wont_do", reason = "Duplicate." });

        var response = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done" });

        await response.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("wont_do", (await _cast.Alice.Item(id)).Str("status"));
    }

    [Fact]
    public async Task a_stale_if_match_is_a_412_and_changes_nothing()
    {
        var id = await _cast.Alice.CreateItem();
        await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "in_progress" });

        var response = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done" }, ifMatch: "\"1\"");

        await response.AssertProblem(HttpStatusCode.PreconditionFailed);
        var item = await _cast.Alice.Item(id);
        Assert.Equal("in_progress", item.Str("status"));
        Assert.Equal(2, item.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_current_if_match_applies_the_change()
    {
        var id = await _cast.Alice.CreateItem();

        var response = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done" }, ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task forty_concurrent_commands_on_one_item_without_if_match_all_succeed_with_contiguous_versions()
    {
        var id = await _cast.Alice.CreateItem();

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            i % 2 == 0
                ? _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = $"progress note {i}" })
                : _cast.Bob.Post($"/api/action-items/{id}/comments", new { text = $"question {i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var versions = responses.Select(r => long.Parse(r.Headers.ETag!.Tag.Trim('"'))).Order().ToArray();
        Assert.Equal(Enumerable.Range(2, 40).Select(v => (long)v), versions);
        var history = (await (await _cast.Alice.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events");
        Assert.Equal(Enumerable.Range(1, 41).Select(v => (long)v), history.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal(41, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task twenty_writers_racing_with_the_same_if_match_one_wins_and_the_rest_get_412()
    {
        var id = await _cast.Alice.CreateItem();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = $"note {i}" }, ifMatch: "\"1\"")));

        var won = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal("\"2\"", won.Headers.ETag?.ToString());
        foreach (var lost in responses.Where(r => r != won))
            Assert.Contains("version 2", (await lost.AssertProblem(HttpStatusCode.PreconditionFailed)).Str("detail"));
        Assert.Equal(2, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_retried_status_change_with_an_idempotency_key_acts_once()
    {
        var id = await _cast.Alice.CreateItem();
        var first = await _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = "Deployed to staging." }, idempotencyKey: "note-1");

        var retry = await _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = "Deployed to staging." }, idempotencyKey: "note-1");

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((await first.Body()).ToString(), (await retry.Body()).ToString());
        Assert.Equal(2, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task an_idempotency_key_is_kept_for_its_retention_and_forgotten_after()
    {
        var id = await _cast.Alice.CreateItem();
        var key = "note-" + Guid.NewGuid().ToString("N")[..8];
        await _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = "Rolled back." }, idempotencyKey: key);
        var cleanup = api.Services.GetRequiredService<ActionTracker.Api.Infrastructure.IdempotencyCleanup>();

        api.Clock.Advance(TimeSpan.FromHours(23));
        await cleanup.RunOnce();
        await _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = "Rolled back." }, idempotencyKey: key);
        Assert.Equal(2, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());

        api.Clock.Advance(TimeSpan.FromHours(2));
        await cleanup.RunOnce();
        var afterRetention = await _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = "Rolled back." }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, afterRetention.StatusCode);
        Assert.Equal(3, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task the_owner_hands_an_item_over_within_the_team()
    {
        var id = await _cast.Alice.CreateItem();

        var response = await _cast.Alice.Post($"/api/action-items/{id}/assignment", new { owner = "bob" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bob", (await response.Body()).Str("owner"));
        // Alice no longer owns it: she may not complete it any more.
        await (await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done" })).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task a_lead_moves_an_item_to_another_team_and_the_owner_may_not()
    {
        var id = await _cast.Alice.CreateItem();

        await (await _cast.Alice.Post($"/api/action-items/{id}/assignment", new { owner = "olga", team = "payments" })).AssertProblem(HttpStatusCode.Forbidden);
        var response = await _cast.Lena.Post($"/api/action-items/{id}/assignment", new { owner = "olga", team = "payments" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = await response.Body();
        Assert.Equal(("olga", "payments"), (item.Str("owner"), item.Str("team")));
        // Now payments' lead is in charge, platform's is not.
        await (await _cast.Lena.Post($"/api/action-items/{id}/status", new { status = "wont_do", reason = "x" })).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await _cast.Paul.Post($"/api/action-items/{id}/status", new { status = "in_progress" })).StatusCode);
    }

    [Fact]
    public async Task the_owner_postpones_once_within_twice_the_default_and_a_lead_may_go_further()
    {
        var id = await _cast.Alice.CreateItem(priority: "critical"); // due in 7 days, owner may go to 14
        var created = DateTimeOffset.Parse((await _cast.Alice.Item(id)).Str("createdAt"));

        await (await _cast.Alice.Post($"/api/action-items/{id}/due-date",
            new { dueAt = created.AddDays(15).ToString("O"), reason = "Vendor patch is late." })).AssertProblem(HttpStatusCode.Forbidden);
        var postponed = await _cast.Alice.Post($"/api/action-items/{id}/due-date",
            new { dueAt = created.AddDays(12).ToString("O"), reason = "Vendor patch is late." });
        Assert.Equal(HttpStatusCode.OK, postponed.StatusCode);
        Assert.Equal(created.AddDays(12), DateTimeOffset.Parse((await postponed.Body()).Str("dueAt")));

        await (await _cast.Alice.Post($"/api/action-items/{id}/due-date",
            new { dueAt = created.AddDays(13).ToString("O"), reason = "Still late." })).AssertProblem(HttpStatusCode.Forbidden);
        var byLead = await _cast.Lena.Post($"/api/action-items/{id}/due-date",
            new { dueAt = created.AddDays(40).ToString("O"), reason = "Agreed with the vendor." });
        Assert.Equal(HttpStatusCode.OK, byLead.StatusCode);
        Assert.Equal(created.AddDays(40), DateTimeOffset.Parse((await byLead.Body()).Str("dueAt")));
    }

    [Fact]
    public async Task comments_are_answered_with_the_comment_and_recorded_in_the_history()
    {
        var id = await _cast.Alice.CreateItem();

        var response = await _cast.Bob.Post($"/api/action-items/{id}/comments", new { text = "  Is the staging cluster pinned too?  " });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var comment = await response.Body();
        Assert.Equal("Is the staging cluster pinned too?", comment.Str("text"));
        Assert.Equal("bob", comment.Str("author"));
        var history = (await (await _cast.Alice.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events");
        var last = history[history.GetArrayLength() - 1];
        Assert.Equal("action_item_commented", last.Str("type"));
        Assert.Equal("bob", last.Str("actor"));
        Assert.Equal("Is the staging cluster pinned too?", last.GetProperty("data").Str("text"));
    }

    [Fact]
    public async Task the_history_lists_every_event_in_order_with_actor_and_time()
    {
        var id = await _cast.Alice.CreateItem();
        api.Clock.Advance(TimeSpan.FromHours(1));
        await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "in_progress" });
        api.Clock.Advance(TimeSpan.FromHours(1));
        await _cast.Lena.Post($"/api/action-items/{id}/assignment", new { owner = "bob" });
        api.Clock.Advance(TimeSpan.FromHours(1));
        await _cast.Bob.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Pinned." });

        var events = (await (await _cast.Olga.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray().ToList();

        Assert.Equal(["action_item_created", "action_item_started", "action_item_assigned", "action_item_completed"], events.Select(e => e.Str("type")));
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal(["alice", "alice", "lena", "bob"], events.Select(e => e.Str("actor")));
        var times = events.Select(e => DateTimeOffset.Parse(e.Str("occurredAt"))).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal("Pinned.", events[3].GetProperty("data").Str("resolution"));
        Assert.Equal("alice", events[2].GetProperty("data").Str("previousOwner"));
    }
}
