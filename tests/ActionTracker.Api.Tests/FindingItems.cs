using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ActionTracker.Api.Tests;

/// <summary>Finding items in the list: words, labels, due-date ranges and sorts whose cursors hold.</summary>
public sealed class FindingItems(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private static string NewTeam() => "find-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<JsonElement> List(string query)
    {
        var response = await _cast.Olga.GetAsync($"/api/action-items?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Body();
    }

    private static List<Guid> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

    private static async Task<Guid> Create(HttpClient lead, string team, object fields)
    {
        var body = JsonSerializer.SerializeToElement(fields).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        body["team"] = team;
        body.TryAdd("owner", "ann");
        body.TryAdd("title", "Untitled");
        var response = await lead.Post("/api/action-items", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Body()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task q_finds_items_whose_title_or_description_has_every_word_in_any_case()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var pin = await Create(lead, team, new { title = "Version lock Flux in every cluster" });
        var restart = await Create(lead, team, new { title = "Restart services", description = "After tightening FIREWALL rules, restart what holds connections." });
        var mirror = await Create(lead, team, new { title = "Mirror the supervisor image", description = "Move it off the external registry." });

        Assert.Equal([pin], Ids(await List($"team={team}&q=flux")));
        Assert.Equal([restart], Ids(await List($"team={team}&q=Firewall%20restart")));
        Assert.Equal([mirror], Ids(await List($"team={team}&q=SUPERVISOR%20registry")));
        // Every word must match, and words are whole words.
        Assert.Empty(Ids(await List($"team={team}&q=flux%20firewall")));
        Assert.Empty(Ids(await List($"team={team}&q=flu")));
        // Filters combine with the words.
        Assert.Empty(Ids(await List($"team={team}&q=flux&owner=nobody")));
    }

    [Fact]
    public async Task q_follows_an_edit_of_the_title()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var item = await Create(lead, team, new { title = "Rotate the signing certificate" });

        using var edit = new HttpRequestMessage(HttpMethod.Patch, $"/api/action-items/{item}") { Content = JsonContent.Create(new { title = "Automate certificate renewal" }) };
        var edited = await lead.SendAsync(edit);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        Assert.Empty(Ids(await List($"team={team}&q=rotate")));
        Assert.Equal([item], Ids(await List($"team={team}&q=renewal")));
    }

    [Fact]
    public async Task label_is_repeatable_and_items_must_carry_all_of_them()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var both = await Create(lead, team, new { labels = new[] { "dns", "gitops" } });
        var dns = await Create(lead, team, new { labels = new[] { "dns" } });
        await Create(lead, team, new { labels = Array.Empty<string>() });

        Assert.Equal([both, dns], Ids(await List($"team={team}&label=dns")));
        Assert.Equal([both], Ids(await List($"team={team}&label=dns&label=gitops")));
        Assert.Empty(Ids(await List($"team={team}&label=DNS")));
    }

    [Fact]
    public async Task due_bounds_are_strict_and_a_date_means_the_whole_day()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var fourth = await Create(lead, team, new { dueAt = "2026-12-04T09:00:00Z", priority = "low" });
        var fifth = await Create(lead, team, new { dueAt = "2026-12-05T23:30:00Z", priority = "low" });
        var sixth = await Create(lead, team, new { dueAt = "2026-12-06T00:00:00Z", priority = "low" });

        Assert.Equal([fourth], Ids(await List($"team={team}&dueBefore=2026-12-05")));
        Assert.Equal([sixth], Ids(await List($"team={team}&dueAfter=2026-12-05")));
        Assert.Equal([fifth], Ids(await List($"team={team}&dueAfter=2026-12-04&dueBefore=2026-12-06")));
        Assert.Equal([fourth, fifth], Ids(await List($"team={team}&dueBefore=2026-12-06T00:00:00Z")));
        Assert.Equal([fifth, sixth], Ids(await List($"team={team}&dueAfter=2026-12-04T09:00:00%2B00:00")));
    }

    [Fact]
    public async Task each_sort_orders_the_items_and_its_pages_neither_skip_nor_repeat()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var items = new List<(Guid Id, string Priority, DateTimeOffset Due)>();
        string[] priorities = ["low", "critical", "medium", "high", "low", "critical", "medium"];
        int[] days = [20, 3, 9, 9, 15, 1, 30];
        for (var i = 0; i < priorities.Length; i++)
        {
            var due = api.Clock.GetUtcNow().AddDays(days[i]);
            items.Add((await Create(lead, team, new { priority = priorities[i], dueAt = due.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") }), priorities[i], due));
            api.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        // The one updated last comes first under -updatedAt.
        Assert.Equal(HttpStatusCode.Created, (await lead.Post($"/api/action-items/{items[2].Id}/comments", new { text = "Bumped." })).StatusCode);

        string[] rank = ["critical", "high", "medium", "low"];
        var byCreation = items.Select(i => i.Id).ToList();
        var byDue = items.OrderBy(i => i.Due).ThenBy(i => i.Id).Select(i => i.Id).ToList();
        var byPriority = items.OrderBy(i => Array.IndexOf(rank, i.Priority)).ThenBy(i => i.Due).ThenBy(i => i.Id).Select(i => i.Id).ToList();
        var byUpdate = new[] { items[2].Id }.Concat(byCreation.Where(id => id != items[2].Id).Reverse()).ToList();

        foreach (var (sort, expected) in new[]
        {
            ("createdAt", byCreation), ("dueAt", byDue), ("-dueAt", Enumerable.Reverse(byDue).ToList()),
            ("priority", byPriority), ("-updatedAt", byUpdate),
        })
        {
            var seen = new List<Guid>();
            string? cursor = null;
            do
            {
                var page = await List($"team={team}&sort={sort}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
                seen.AddRange(Ids(page));
                cursor = page.GetProperty("nextCursor").GetString();
            } while (cursor is not null);
            Assert.True(expected.SequenceEqual(seen), $"sort={sort}");
        }
    }

    [Fact]
    public async Task a_cursor_is_refused_under_another_sort()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        for (var i = 0; i < 3; i++)
            await Create(lead, team, new { });
        var cursor = (await List($"team={team}&sort=dueAt&limit=1")).Str("nextCursor");

        var problem = await (await _cast.Olga.GetAsync($"/api/action-items?team={team}&sort=priority&cursor={cursor}")).AssertProblem(HttpStatusCode.BadRequest);

        Assert.Contains("sort=dueAt", problem.GetProperty("errors").GetProperty("cursor")[0].GetString());
        Assert.Single(Ids(await List($"team={team}&sort=dueAt&limit=1&cursor={cursor}")));
    }

    [Theory]
    [InlineData("dueBefore=9999-12-31")]
    [InlineData("dueAfter=9999-12-30")]
    [InlineData("dueAfter=9999-12-31T23:59:59Z")]
    [InlineData("dueBefore=0001-01-01")]
    public async Task bounds_at_the_ends_of_the_calendar_are_answered(string query)
    {
        var response = await _cast.Olga.GetAsync($"/api/action-items?team=payments&{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await response.Body()).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("q=", "q")]
    [InlineData("q=%20%21%3F", "q")]
    [InlineData("label=", "label")]
    [InlineData("dueBefore=tomorrow", "dueBefore")]
    [InlineData("dueAfter=2026-12-05T10:00:00", "dueAfter")]
    [InlineData("dueAfter=9999-12-31", "dueAfter")]
    [InlineData("dueBefore=9999-12-31T23:00:00-10:00", "dueBefore")]
    [InlineData("dueAfter=0001-01-01T00:00:00%2B10:00", "dueAfter")]
    [InlineData("sort=title", "sort")]
    [InlineData("sort=-createdAt", "sort")]
    public async Task bad_search_parameters_are_400s_naming_them(string query, string field)
    {
        var problem = await (await _cast.Olga.GetAsync($"/api/action-items?{query}")).AssertProblem(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
