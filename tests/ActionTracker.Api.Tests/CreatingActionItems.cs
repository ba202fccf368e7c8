using System.Net;

namespace ActionTracker.Api.Tests;

public sealed class CreatingActionItems(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task when_a_member_creates_an_item_for_their_team_it_is_open_owned_and_versioned()
    {
        var response = await _cast.Alice.Post("/api/action-items", new
        {
            title = "Version lock the GitOps controller",
            description = "Scheduled pipelines must not upgrade it.",
            team = "platform",
            owner = "alice",
            priority = "high",
            dueAt = "2026-12-22T17:00:00Z",
            source = new { kind = "postmortem", @ref = "pm-2026-11-01", title = "Unplanned upgrade" },
            labels = new[] { "gitops", "gitops", "deploys" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var item = await response.Body();
        var id = item.GetProperty("id").GetGuid();
        Assert.Equal($"/api/action-items/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal("open", item.Str("status"));
        Assert.Equal("alice", item.Str("owner"));
        Assert.Equal("high", item.Str("priority"));
        Assert.Equal("2026-12-22T17:00:00Z", item.Str("dueAt"));
        Assert.False(item.GetProperty("overdue").GetBoolean());
        Assert.Equal(0, item.GetProperty("escalationLevel").GetInt32());
        Assert.Equal("pm-2026-11-01", item.GetProperty("source").Str("ref"));
        Assert.Equal(["gitops", "deploys"], item.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, item.GetProperty("completedAt").ValueKind);
        Assert.Equal(1, item.GetProperty("version").GetInt64());

        var read = await _cast.Bob.GetAsync($"/api/action-items/{id}");
        Assert.Equal("\"1\"", read.Headers.ETag?.ToString());
        Assert.Equal(item.ToString(), (await read.Body()).ToString());
    }

    [Theory]
    [InlineData("critical", 7)]
    [InlineData("high", 30)]
    [InlineData("medium", 60)]
    [InlineData("low", 90)]
    public async Task without_a_due_date_the_priority_default_applies(string priority, int days)
    {
        var id = await _cast.Alice.CreateItem(priority: priority);

        var item = await _cast.Alice.Item(id);
        Assert.Equal(DateTimeOffset.Parse(item.Str("createdAt")).AddDays(days), DateTimeOffset.Parse(item.Str("dueAt")));
    }

    [Fact]
    public async Task without_a_priority_the_item_is_medium()
    {
        var response = await _cast.Alice.Post("/api/action-items", new { title = "Write the runbook", team = "platform", owner = "alice" });

        Assert.Equal("medium", (await response.Body()).Str("priority"));
    }

    [Fact]
    public async Task a_date_alone_means_the_end_of_that_day_utc()
    {
        var id = await _cast.Alice.CreateItem(dueAt: "2027-01-15");

        Assert.Equal("2027-01-15T23:59:59Z", (await _cast.Alice.Item(id)).Str("dueAt"));
    }

    [Fact]
    public async Task a_service_and_an_admin_may_create_items_for_any_team()
    {
        await _cast.Importer.CreateItem(team: "payments", owner: "olga");
        await _cast.Admin.CreateItem(team: "identity", owner: "erin");
    }

    [Fact]
    public async Task a_member_of_another_team_may_not_create_an_item_and_nothing_is_written()
    {
        var before = await api.EventCount();

        var response = await _cast.Olga.Post("/api/action-items", new { title = "Not yours", team = "platform", owner = "alice" });

        await response.AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(before, await api.EventCount());
    }

    [Fact]
    public async Task a_retry_with_the_same_idempotency_key_returns_the_first_response_and_creates_one_item()
    {
        var body = new { title = "Alert on replication lag", team = "platform", owner = "alice", priority = "critical" };
        var first = await _cast.Alice.Post("/api/action-items", body, idempotencyKey: "create-lag-alert");
        var before = await api.EventCount();
        api.Clock.Advance(TimeSpan.FromMinutes(5));

        var retry = await _cast.Alice.Post("/api/action-items", body, idempotencyKey: "create-lag-alert");

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((await first.Body()).ToString(), (await retry.Body()).ToString());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(before, await api.EventCount());
    }

    [Fact]
    public async Task concurrent_retries_with_one_idempotency_key_create_one_item()
    {
        var body = new { title = "Add a canary stage", team = "platform", owner = "alice" };
        var before = await api.ItemCount();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            _cast.Alice.Post("/api/action-items", body, idempotencyKey: "canary-stage")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location).Distinct());
        Assert.Equal(before + 1, await api.ItemCount());
    }

    [Fact]
    public async Task the_same_idempotency_key_with_a_different_request_is_refused()
    {
        await _cast.Alice.Post("/api/action-items", new { title = "One thing", team = "platform", owner = "alice" }, idempotencyKey: "k-reused");
        var before = await api.EventCount();

        var response = await _cast.Alice.Post("/api/action-items", new { title = "Another thing", team = "platform", owner = "alice" }, idempotencyKey: "k-reused");

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(before, await api.EventCount());
    }

    [Fact]
    public async Task idempotency_keys_belong_to_their_caller()
    {
        var body = new { title = "Shared words", team = "platform", owner = "alice" };
        var byAlice = await _cast.Alice.Post("/api/action-items", body, idempotencyKey: "same-key");
        var byBob = await _cast.Bob.Post("/api/action-items", body, idempotencyKey: "same-key");

        Assert.Equal(HttpStatusCode.Created, byBob.StatusCode);
        Assert.NotEqual(byAlice.Headers.Location, byBob.Headers.Location);
    }

    [Fact]
    public async Task a_member_cannot_create_an_item_due_beyond_twice_the_default_but_a_lead_can()
    {
        var items = await api.ItemCount();
        var far = new { title = "Pin the deployment controller version", team = "platform", owner = "alice", priority = "critical", dueAt = "9999-12-31" };

        var member = await _cast.Alice.Post("/api/action-items", far);
        var lead = await _cast.Lena.Post("/api/action-items", far);

        Assert.Contains("ask a lead", (await member.AssertProblem(HttpStatusCode.Forbidden)).Str("detail"));
        Assert.Equal(HttpStatusCode.Created, lead.StatusCode);
        Assert.Equal(items + 1, await api.ItemCount());
    }
}
