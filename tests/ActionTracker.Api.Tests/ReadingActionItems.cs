using System.Net;
using System.Text.Json;

namespace ActionTracker.Api.Tests;

public sealed class ReadingActionItems(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private async Task<JsonElement> List(string query, HttpClient? client = null)
    {
        var response = await (client ?? _cast.Olga).GetAsync($"/api/action-items?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Body();
    }

    private static List<Guid> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task lists_filter_by_team_owner_status_priority_source_and_overdue()
    {
        var team = "list-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lead-" + team, [team], "lead");
        var a = await lead.CreateItem(team: team, owner: "ann", priority: "critical");
        var b = await lead.CreateItem(team: team, owner: "ben", priority: "low");
        var c = await lead.CreateItem(team: team, owner: "ann", priority: "low");
        var sourced = await lead.Post("/api/action-items", new { title = "From the postmortem", team, owner = "ben", source = new { kind = "postmortem", @ref = $"pm-{team}" } });
        var d = (await sourced.Body()).GetProperty("id").GetGuid();
        await lead.Post($"/api/action-items/{b}/status", new { status = "in_progress" });
        await lead.Post($"/api/action-items/{c}/status", new { status = "done" });

        Assert.Equal([a, b, c, d], Ids(await List($"team={team}")));
        Assert.Equal([a, c], Ids(await List($"team={team}&owner=ann")));
        Assert.Equal([a, b, d], Ids(await List($"team={team}&status=open&status=in_progress")));
        Assert.Equal([b, c], Ids(await List($"team={team}&priority=low")));
        Assert.Equal([d], Ids(await List($"source=pm-{team}")));
        Assert.Empty(Ids(await List($"team={team}&overdue=true")));

        api.Clock.Advance(TimeSpan.FromDays(8)); // a (critical, 7 days) is now overdue; c is done
        var overdue = await List($"team={team}&overdue=true");
        Assert.Equal([a], Ids(overdue));
        Assert.True(overdue.GetProperty("items")[0].GetProperty("overdue").GetBoolean());
        Assert.Equal([b, c, d], Ids(await List($"team={team}&overdue=false")));
    }

    [Fact]
    public async Task pages_follow_the_cursor_without_gaps_or_repeats()
    {
        var team = "page-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lead-" + team, [team], "lead");
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++)
            created.Add(await lead.CreateItem(team: team, owner: "ann"));

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await List($"team={team}&limit=3" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(Ids(page));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        } while (cursor is not null);

        Assert.Equal(created, seen);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("status=finished", "status")]
    [InlineData("priority=urgent", "priority")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task bad_list_parameters_are_400s(string query, string field)
    {
        var problem = await (await _cast.Alice.GetAsync($"/api/action-items?{query}")).AssertProblem(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task a_limit_that_is_not_a_number_is_a_400()
    {
        var problem = await (await _cast.Alice.GetAsync("/api/action-items?limit=many")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/digests/weekly/2001-W01?team=platform", "text/html", HttpStatusCode.NotFound)]
    [InlineData("/api/reports/overdue?limit=many", "text/csv", HttpStatusCode.BadRequest)]
    [InlineData("/api/events/stream?after=nowhere", "text/event-stream", HttpStatusCode.BadRequest)]
    public async Task errors_are_problem_json_whatever_the_client_accepts(string url, string accept, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd(accept);

        var response = await _cast.Alice.SendAsync(request);

        await response.AssertProblem(status);
    }
}

public sealed class Authenticating(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<HttpResponseMessage> GetWith(string? token)
    {
        var client = api.CreateClient();
        if (token is not null)
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return await client.GetAsync("/api/action-items");
    }

    [Fact]
    public async Task a_valid_token_is_accepted()
    {
        Assert.Equal(HttpStatusCode.OK, (await GetWith("Bearer " + api.Token("alice", ["platform"], ["member"]))).StatusCode);
    }

    [Fact]
    public async Task calls_without_a_valid_token_are_401_problems()
    {
        await (await GetWith(null)).AssertProblem(HttpStatusCode.Unauthorized);
        await (await GetWith("Bearer not-a-jwt")).AssertProblem(HttpStatusCode.Unauthorized);
        await (await GetWith("Basic YWxpY2U6c2VjcmV0")).AssertProblem(HttpStatusCode.Unauthorized);
        await (await GetWith("Bearer " + api.Token("alice", ["platform"], ["member"], key: "some-other-key-that-is-long-enough-000"))).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task an_expired_token_is_refused()
    {
        var token = api.Token("alice", ["platform"], ["member"], lifetime: TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await GetWith("Bearer " + token)).StatusCode);

        api.Clock.Advance(TimeSpan.FromMinutes(15));

        await (await GetWith("Bearer " + token)).AssertProblem(HttpStatusCode.Unauthorized);
    }

    /// <summary>A token as PyJWT writes it by default: no exp, no nbf, team and role as plain strings.</summary>
    private static string WithoutExpiry()
    {
        static string Part(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var unsigned = Part("""{"alg":"HS256","typ":"JWT"}""") + "." +
                       Part("""{"sub":"alice","team":"platform","role":"member","iss":"action-tracker-dev","aud":"action-tracker"}""");
        var mac = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ApiFixture.SigningKey), System.Text.Encoding.ASCII.GetBytes(unsigned));
        return unsigned + "." + Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    [Fact]
    public async Task a_development_token_minted_elsewhere_without_an_expiry_and_with_single_claims_is_accepted()
    {
        var token = WithoutExpiry();

        var response = await GetWith("Bearer " + token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var created = await client.CreateItem(team: "platform", owner: "alice");
        Assert.Equal("platform", (await api.As("lena", ["platform"], "lead").Item(created)).Str("team"));
    }

    [Fact]
    public async Task with_expiration_required_a_token_without_one_is_refused()
    {
        await using var strict = await api.StartAnother(b => b.UseSetting("Auth:RequireExpiration", "true"));
        var client = strict.Server.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + WithoutExpiry());
        var expiring = strict.Server.CreateClient();
        expiring.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + api.Token("alice", ["platform"], ["member"]));

        await (await client.GetAsync("/api/action-items")).AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await expiring.GetAsync("/api/action-items")).StatusCode);
    }

    [Fact]
    public async Task a_token_for_another_audience_is_refused()
    {
        var options = new ActionTracker.Api.Infrastructure.Auth.AuthOptions { SigningKey = ApiFixture.SigningKey, Audience = "someone-else" };
        var token = ActionTracker.Api.Infrastructure.Auth.DevTokens.Create(options, "alice", ["platform"], ["member"], api.Clock.GetUtcNow());

        await (await GetWith("Bearer " + token)).AssertProblem(HttpStatusCode.Unauthorized);
    }
}

public sealed class Operating(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task the_service_reports_live_and_ready_with_a_current_schema()
    {
        var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task readiness_fails_when_the_schema_is_behind_this_build()
    {
        await api.Database.Execute("update schema_migrations set module = 'renamed' where module = 'actiontracker'");
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.CreateClient().GetAsync("/health/ready")).StatusCode);
        }
        finally
        {
            await api.Database.Execute("update schema_migrations set module = 'actiontracker' where module = 'renamed'");
        }
    }

    [Fact]
    public async Task the_openapi_document_describes_every_endpoint()
    {
        var doc = await (await api.CreateClient().GetAsync("/openapi/v1.json")).Body();

        var paths = doc.GetProperty("paths");
        foreach (var (path, method) in new[]
                 {
                     ("/api/action-items", "post"), ("/api/action-items", "get"), ("/api/action-items/{id}", "get"),
                     ("/api/action-items/{id}/status", "post"), ("/api/action-items/{id}/assignment", "post"),
                     ("/api/action-items/{id}/due-date", "post"), ("/api/action-items/{id}/comments", "post"),
                     ("/api/action-items/{id}/history", "get"),
                     // Contract v1.1
                     ("/api/action-items/{id}", "patch"), ("/api/action-items/{id}/comments", "get"),
                     ("/api/action-items/{id}/comments/{commentId}", "get"), ("/api/teams/{team}", "patch"),
                     ("/api/teams/{team}/history", "get"),
                 })
            Assert.True(paths.TryGetProperty(path, out var p) && p.TryGetProperty(method, out _), $"{method} {path}");
        Assert.True(doc.GetProperty("components").GetProperty("schemas").TryGetProperty("ActionItemResponse", out _));
        Assert.True(paths.TryGetProperty("/health/live", out _) && paths.TryGetProperty("/health/ready", out _));

        var status = paths.GetProperty("/api/action-items/{id}/status").GetProperty("post");
        var headers = status.GetProperty("parameters").EnumerateArray().Where(p => p.Str("in") == "header").Select(p => p.Str("name")).ToList();
        Assert.Contains("If-Match", headers);
        Assert.Contains("Idempotency-Key", headers);
        Assert.True(status.GetProperty("security")[0].TryGetProperty("Bearer", out _));
        Assert.True(status.GetProperty("responses").TryGetProperty("429", out _));
        Assert.True(paths.GetProperty("/api/action-items/{id}").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.True(paths.GetProperty("/api/action-items").GetProperty("post").GetProperty("responses").GetProperty("201").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.True(paths.GetProperty("/api/action-items/{id}/comments").GetProperty("post").GetProperty("responses").GetProperty("201").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.False(paths.GetProperty("/api/action-items/{id}/history").GetProperty("get").GetProperty("responses").GetProperty("200").TryGetProperty("headers", out _),
            "the history sends no ETag");
        var listParameters = paths.GetProperty("/api/action-items").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.Str("name")).ToList();
        Assert.Superset(new HashSet<string> { "q", "label", "dueBefore", "dueAfter", "sort", "cursor" }, listParameters.ToHashSet());
        Assert.Contains("Last-Event-ID", paths.GetProperty("/api/events/stream").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.Str("name")));
    }
}
