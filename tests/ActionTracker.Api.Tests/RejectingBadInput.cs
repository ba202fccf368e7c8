using System.Net;

namespace ActionTracker.Api.Tests;

/// <summary>Bad input gets a clear 4xx problem and writes nothing.</summary>
public sealed class RejectingBadInput(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    public static TheoryData<string, string, string?> InvalidCreations => new()
    {
        { "malformed JSON", """{"title": "x", "team": """, "body" },
        { "not an object", """["a", "b"]""", "body" },
        { "title of the wrong type", """{"title": 42, "team": "platform", "owner": "alice"}""", "title" },
        { "labels of the wrong type", """{"title": "t", "team": "platform", "owner": "alice", "labels": "x"}""", "labels" },
        { "unknown priority", """{"title": "t", "team": "platform", "owner": "alice", "priority": "urgent"}""", "priority" },
        { "missing title", """{"team": "platform", "owner": "alice"}""", "title" },
        { "blank title", """{"title": "   ", "team": "platform", "owner": "alice"}""", "title" },
        { "oversized title", $$"""{"title": "{{new string('x', 201)}}", "team": "platform", "owner": "alice"}""", "title" },
        { "oversized description", $$"""{"title": "t", "description": "{{new string('x', 4001)}}", "team": "platform", "owner": "alice"}""", "description" },
        { "team that is not a slug", """{"title": "t", "team": "Platform Team", "owner": "alice"}""", "team" },
        { "missing owner", """{"title": "t", "team": "platform"}""", "owner" },
        { "due date in the past", """{"title": "t", "team": "platform", "owner": "alice", "dueAt": "2020-01-01T00:00:00Z"}""", "dueAt" },
        { "due date without an offset", """{"title": "t", "team": "platform", "owner": "alice", "dueAt": "2027-01-01T10:00:00"}""", "dueAt" },
        { "due date that is no date", """{"title": "t", "team": "platform", "owner": "alice", "dueAt": "next week"}""", "dueAt" },
        { "title with a NUL character", """{"title": "Pin the\u0000 proxy", "team": "platform", "owner": "alice"}""", "title" },
        { "too many labels", $$"""{"title": "t", "team": "platform", "owner": "alice", "labels": [{{string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"l{i}\""))}}]}""", "labels" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreations))]
    public async Task an_invalid_creation_is_a_400_naming_the_field_and_writes_nothing(string why, string json, string? field)
    {
        var before = await api.EventCount();

        var response = await _cast.Alice.PostRaw("/api/action-items", json);

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field!, out _), $"{why}: {problem}");
        Assert.Equal(before, await api.EventCount());
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from idempotency_keys"));
    }

    [Fact]
    public async Task an_empty_body_is_a_400()
    {
        var response = await _cast.Alice.PostRaw("/api/action-items", "");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/action-items?teem=platform", null)]
    [InlineData("/api/action-items?limit=many", null)]
    [InlineData("/api/events?after=nowhere", null)]
    [InlineData("/api/reports/overdue?level=11", null)]
    [InlineData("/api/action-items", "")]
    [InlineData("/api/action-items", "{\"title\": ")]
    [InlineData("/api/action-items", "{\"title\": \"t\", \"team\": \"platform\", \"owner\": \"alice\", \"stauts\": \"done\"}")]
    [InlineData("/api/action-items", "{\"title\": \"nul \\u0000 here\", \"team\": \"platform\", \"owner\": \"alice\"}")]
    [InlineData("/api/action-items", "{\"title\": \"\", \"team\": \"platform\", \"owner\": \"alice\"}")]
    public async Task every_refused_input_has_one_title_and_names_what_is_wrong(string url, string? body)
    {
        var response = body is null ? await _cast.Alice.GetAsync(url) : await _cast.Alice.PostRaw(url, body);

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid request", problem.Str("title"));
        Assert.NotEmpty(problem.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task a_body_that_is_not_json_is_a_415()
    {
        var before = await api.EventCount();

        var response = await _cast.Alice.PostRaw("/api/action-items", "title=x&team=platform", "application/x-www-form-urlencoded");

        await response.AssertProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await api.EventCount());
    }

    [Fact]
    public async Task a_body_over_the_limit_is_a_413()
    {
        var before = await api.EventCount();
        var json = $$"""{"title": "t", "team": "platform", "owner": "alice", "description": "{{new string('x', 70_000)}}"}""";

        var response = await _cast.Alice.PostRaw("/api/action-items", json);

        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await api.EventCount());
    }

    [Fact]
    public async Task an_invalid_status_change_names_the_field_and_changes_nothing()
    {
        var id = await _cast.Alice.CreateItem();

        foreach (var (json, field) in new[]
                 {
                     ("""{"status": "finished"}""", "status"),
                     ("""{"status": 3}""", "status"),
                     ("""{"status": "blocked"}""", "reason"),
                     ("""{"status": "in_progress", "resolution": "early"}""", "resolution"),
                 })
        {
            var response = await _cast.Alice.PostRaw($"/api/action-items/{id}/status", json);
            var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        Assert.Equal(1, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task an_invalid_due_date_change_is_a_400_and_changes_nothing()
    {
        var id = await _cast.Alice.CreateItem();

        foreach (var (json, field) in new[]
                 {
                     ("""{"dueAt": "2027-01-01"}""", "reason"),
                     ("""{"dueAt": "2001-01-01", "reason": "late"}""", "dueAt"),
                     ("""{"dueAt": "soon", "reason": "late"}""", "dueAt"),
                 })
        {
            var response = await _cast.Alice.PostRaw($"/api/action-items/{id}/due-date", json);
            var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        Assert.Equal(1, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task empty_comments_and_owners_are_400s()
    {
        var id = await _cast.Alice.CreateItem();

        await (await _cast.Alice.PostRaw($"/api/action-items/{id}/comments", """{"text": " "}""")).AssertProblem(HttpStatusCode.BadRequest);
        await (await _cast.Alice.PostRaw($"/api/action-items/{id}/assignment", """{"owner": ""}""")).AssertProblem(HttpStatusCode.BadRequest);
        await (await _cast.Lena.PostRaw($"/api/action-items/{id}/assignment", """{"owner": "bob", "team": "No Slug"}""")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(1, (await _cast.Alice.Item(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task text_postgresql_cannot_hold_is_a_400_wherever_it_is_sent_and_changes_nothing()
    {
        var id = await _cast.Alice.CreateItem();
        var before = await api.EventCount();

        var comment = await _cast.Alice.PostRaw($"/api/action-items/{id}/comments", """{"text": "Rolled\u0000 back."}""");
        var filter = await _cast.Alice.GetAsync("/api/action-items?owner=al%00ice");
        var import = await _cast.Alice.PostRaw("/api/postmortems",
            """{"title": "Proxy\u0000 outage", "ref": "pm-nul", "team": "platform", "text": "## Action items\n- Pin the proxy version in every cluster"}""");

        var problem = await comment.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("text", out _), problem.ToString());
        await filter.AssertProblem(HttpStatusCode.BadRequest);
        await import.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(before, await api.EventCount());
        Assert.Equal(HttpStatusCode.NotFound, (await _cast.Alice.GetAsync("/api/postmortems/pm-nul")).StatusCode);
    }

    [Fact]
    public async Task a_malformed_if_match_is_a_400()
    {
        var id = await _cast.Alice.CreateItem();

        var response = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "in_progress" }, ifMatch: "version-one");

        await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal("open", (await _cast.Alice.Item(id)).Str("status"));
    }

    [Fact]
    public async Task unknown_ids_and_addresses_are_404s()
    {
        await (await _cast.Alice.GetAsync($"/api/action-items/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound);
        await (await _cast.Alice.GetAsync($"/api/action-items/{Guid.NewGuid()}/history")).AssertProblem(HttpStatusCode.NotFound);
        await (await _cast.Alice.Post($"/api/action-items/{Guid.NewGuid()}/status", new { status = "done" })).AssertProblem(HttpStatusCode.NotFound);
        await (await _cast.Alice.GetAsync("/api/no-such-thing")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("Ring the bell\u0007 twice")]
    [InlineData("\u001b[2J cleared the terminal")]
    [InlineData("Pay invoice \u202Egnp.exe")]
    [InlineData("Zero\u200Bwidth space")]
    public async Task a_title_with_control_bidi_or_invisible_characters_is_a_400_naming_it_and_writes_nothing(string title)
    {
        var events = await api.EventCount();

        var response = await _cast.Alice.Post("/api/action-items", new { title = System.Text.RegularExpressions.Regex.Unescape(title), team = "platform", owner = "alice" });

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Contains("may not contain", problem.GetProperty("errors").GetProperty("title")[0].GetString());
        Assert.Equal(events, await api.EventCount());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\tbed")]
    [InlineData("x5000")]
    public async Task a_token_whose_subject_is_empty_blank_unprintable_or_too_long_is_a_401_and_writes_nothing(string sub)
    {
        sub = sub == "x5000" ? new string('x', 5000) : System.Text.RegularExpressions.Regex.Unescape(sub);
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", api.Token(sub, ["platform"], ["member"]));
        var events = await api.EventCount();

        var response = await client.Post("/api/action-items", new { title = "Pin the deployment controller version", team = "platform", owner = "alice" });

        await response.AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Equal(events, await api.EventCount());
    }
}
