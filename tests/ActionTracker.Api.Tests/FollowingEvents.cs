using System.Net;
using System.Text.Json;

namespace ActionTracker.Api.Tests;

public sealed class FollowingEvents(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private static string NewTeam() => "feed-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// Follows next from the start until the team's expected number of events has arrived. Other
    /// databases' transactions in the test cluster can hold the horizon back a moment, so this
    /// polls, bounded.
    /// </summary>
    private async Task<List<JsonElement>> Follow(string query, int expected, int limit = 3)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<JsonElement>();
        var after = "";
        while (seen.Count < expected)
        {
            using var response = await _cast.Olga.GetAsync($"/api/events?limit={limit}&after={after}&{query}", timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} after '{after}': {text}");
            var page = JsonDocument.Parse(text).RootElement;
            var events = page.GetProperty("events").EnumerateArray().ToList();
            seen.AddRange(events);
            after = page.Str("next");
            if (events.Count == 0)
                await Task.Delay(20, timeout.Token);
        }
        return seen;
    }

    [Fact]
    public async Task a_consumer_following_next_sees_every_event_once_in_order_as_cloudevents()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var first = await lead.CreateItem(team: team, owner: "ann");
        var second = await lead.CreateItem(team: team, owner: "ben");
        await lead.Post($"/api/action-items/{first}/status", new { status = "in_progress" });
        await lead.Post($"/api/action-items/{second}/assignment", new { owner = "cy" });
        await lead.Post($"/api/action-items/{first}/comments", new { text = "On it." });
        await lead.Post($"/api/action-items/{first}/status", new { status = "done", resolution = "Pinned." });

        var events = await Follow($"team={team}", expected: 6);

        Assert.Equal(6, events.Count);
        Assert.Equal(
            ["actiontracker.item.created.v1", "actiontracker.item.created.v1", "actiontracker.item.status_changed.v1",
             "actiontracker.item.assigned.v1", "actiontracker.item.commented.v1", "actiontracker.item.status_changed.v1"],
            events.Select(e => e.Str("type")));
        Assert.All(events, e =>
        {
            Assert.Equal("1.0", e.Str("specversion"));
            Assert.Equal("/action-tracker", e.Str("source"));
            Assert.Equal("application/json", e.Str("datacontenttype"));
            Assert.False(string.IsNullOrEmpty(e.Str("id")));
        });
        Assert.Equal(events.Count, events.Select(e => e.Str("id")).Distinct().Count());
        var positions = events.Select(e => e.Str("position")).ToList();
        Assert.Equal(positions.Order(StringComparer.Ordinal), positions);
        Assert.Equal(first.ToString(), events[0].Str("subject"));
        Assert.Equal("done", events[5].GetProperty("data").Str("status"));
        Assert.Equal("Pinned.", events[5].GetProperty("data").Str("resolution"));
        Assert.Equal("cy", events[3].GetProperty("data").Str("owner"));
    }

    [Fact]
    public async Task the_feed_filters_by_type_and_team()
    {
        var (a, b) = (NewTeam(), NewTeam());
        var leadA = api.As("lead-a", [a], "lead");
        var leadB = api.As("lead-b", [b], "lead");
        var itemA = await leadA.CreateItem(team: a, owner: "ann");
        await leadB.CreateItem(team: b, owner: "bo");
        await leadA.Post($"/api/action-items/{itemA}/comments", new { text = "note" });

        var onlyA = await Follow($"team={a}", expected: 2, limit: 50);
        Assert.All(onlyA, e => Assert.Equal(itemA.ToString(), e.Str("subject")));

        var created = await Follow($"team={a}&type=actiontracker.item.commented.v1", expected: 1, limit: 50);
        Assert.Equal(["actiontracker.item.commented.v1"], created.Select(e => e.Str("type")));
    }

    [Fact]
    public async Task a_team_keeps_an_items_events_from_before_it_moved_and_sees_the_move()
    {
        var (from, to) = (NewTeam(), NewTeam());
        var lead = api.As("lead-both", [from, to], "lead");
        var item = await lead.CreateItem(team: from, owner: "ann");
        await lead.Post($"/api/action-items/{item}/comments", new { text = "Before the move." });
        await lead.Post($"/api/action-items/{item}/assignment", new { owner = "bo", team = to });
        await lead.Post($"/api/action-items/{item}/comments", new { text = "After the move." });

        var left = await Follow($"team={from}", expected: 3, limit: 50);
        var joined = await Follow($"team={to}", expected: 2, limit: 50);

        Assert.Equal(["actiontracker.item.created.v1", "actiontracker.item.commented.v1", "actiontracker.item.assigned.v1"],
            left.Select(e => e.Str("type")));
        Assert.Equal("Before the move.", left[1].GetProperty("data").Str("text"));
        Assert.Equal(["actiontracker.item.assigned.v1", "actiontracker.item.commented.v1"], joined.Select(e => e.Str("type")));
        Assert.Equal("After the move.", joined[1].GetProperty("data").Str("text"));
        // Nothing more arrives for either once the writes are read.
        Assert.Empty((await (await _cast.Olga.GetAsync($"/api/events?team={from}&after={left[^1].Str("position")}")).Body()).GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task a_long_poll_returns_as_soon_as_an_event_arrives()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        // The end of the feed for this team (nothing of it yet).
        var tail = (await (await _cast.Olga.GetAsync($"/api/events?team={team}")).Body()).Str("next");

        var poll = _cast.Olga.GetAsync($"/api/events?team={team}&after={tail}&wait=25");
        var id = await lead.CreateItem(team: team, owner: "ann");

        var page = await (await poll).Body();
        var e = Assert.Single(page.GetProperty("events").EnumerateArray());
        Assert.Equal(id.ToString(), e.Str("subject"));
    }

    [Fact]
    public async Task the_live_stream_sends_events_as_sse_and_resumes_after_last_event_id()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var before = await lead.CreateItem(team: team, owner: "ann");
        var seen = await Follow($"team={team}", expected: 1);
        var resumeFrom = seen[0].Str("position");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/events/stream?team={team}");
        request.Headers.Add("Last-Event-ID", resumeFrom);
        using var response = await _cast.Olga.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var after = await lead.CreateItem(team: team, owner: "ben");

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        string? id = null, type = null, data = null;
        while (data is null)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("stream ended");
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }

        var e = JsonSerializer.Deserialize<JsonElement>(data);
        Assert.Equal(after.ToString(), e.Str("subject")); // the event before Last-Event-ID is not sent again
        Assert.NotEqual(before.ToString(), e.Str("subject"));
        Assert.Equal("actiontracker.item.created.v1", type);
        Assert.Equal(e.Str("position"), id);
    }

    [Theory]
    [InlineData("after=yesterday", "after")]
    [InlineData("after=00000000000002d4-0000000000000017", "after")] // a position of the hand-built store
    [InlineData("after=6a1b2c3d-8000000000000000", "after")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("wait=60", "wait")]
    [InlineData("type=actiontracker.item.deleted.v1", "type")]
    [InlineData("team=Not%20A%20Slug", "team")]
    public async Task bad_feed_parameters_are_400s(string query, string field)
    {
        var problem = await (await _cast.Olga.GetAsync($"/api/events?{query}")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task a_follower_misses_nothing_and_repeats_nothing_while_many_writers_run()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var writers = Enumerable.Range(0, 8).Select(async w =>
        {
            var id = await lead.CreateItem(team: team, owner: $"w{w}");
            for (var i = 0; i < 5; i++)
                await lead.Post($"/api/action-items/{id}/comments", new { text = $"note {i}" });
            return id;
        }).ToList();
        var follower = Follow($"team={team}", expected: 8 * 6, limit: 7);
        var ids = await Task.WhenAll(writers);

        var events = await follower;

        Assert.Equal(48, events.Count);
        Assert.Equal(48, events.Select(e => e.Str("id")).Distinct().Count());
        foreach (var id in ids)
            Assert.Equal(["actiontracker.item.created.v1", .. Enumerable.Repeat("actiontracker.item.commented.v1", 5)],
                events.Where(e => e.Str("subject") == id.ToString()).Select(e => e.Str("type")));
    }
}
