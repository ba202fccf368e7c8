using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ActionTracker.Api.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

public sealed class Reporting(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private async Task Tick(TimeSpan by)
    {
        api.Clock.Advance(by);
        await api.Services.RunDue();
    }

    private async Task<JsonElement> Report(string query = "")
    {
        await api.CatchUpProjections();
        var response = await _cast.Olga.GetAsync($"/api/reports/overdue{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Body();
    }

    private static JsonElement Team(JsonElement report, string team) =>
        report.GetProperty("teams").EnumerateArray().Single(t => t.Str("team") == team);

    [Fact]
    public async Task the_overdue_report_agrees_with_the_items_per_team_owner_and_level()
    {
        var (a, b) = ("rep-a-" + Guid.NewGuid().ToString("N")[..6], "rep-b-" + Guid.NewGuid().ToString("N")[..6]);
        var leadA = api.As("lead-a", [a], "lead");
        var leadB = api.As("lead-b", [b], "lead");
        var now = api.Clock.GetUtcNow();
        string In(double days) => now.AddDays(days).ToString("O");
        var ann1 = await leadA.CreateItem(team: a, owner: "ann", dueAt: In(1));   // level 3 by the end
        var ann2 = await leadA.CreateItem(team: a, owner: "ann", dueAt: In(6));   // level 2
        var ben = await leadA.CreateItem(team: a, owner: "ben", dueAt: In(8));    // level 1
        var done = await leadA.CreateItem(team: a, owner: "ben", dueAt: In(2));   // overdue, then completed
        var later = await leadA.CreateItem(team: a, owner: "ann", dueAt: In(30)); // not yet due
        var cyd = await leadB.CreateItem(team: b, owner: "cyd", dueAt: In(5));    // level 2
        for (var day = 0; day < 10; day++)
            await Tick(TimeSpan.FromDays(1));
        await leadA.Post($"/api/action-items/{done}/status", new { status = "done" });

        var report = await Report();

        var teamA = Team(report, a);
        Assert.Equal(3, teamA.GetProperty("overdue").GetInt32());
        Assert.Equal(1, teamA.GetProperty("byLevel").GetProperty("1").GetInt32());
        Assert.Equal(1, teamA.GetProperty("byLevel").GetProperty("2").GetInt32());
        Assert.Equal(1, teamA.GetProperty("byLevel").GetProperty("3").GetInt32());
        Assert.Equal([("ann", 2), ("ben", 1)], teamA.GetProperty("byOwner").EnumerateArray().Select(o => (o.Str("owner"), o.GetProperty("overdue").GetInt32())));
        Assert.Equal([ann1, ann2, ben], teamA.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(1, Team(report, b).GetProperty("byLevel").GetProperty("2").GetInt32());

        // The report and the items API tell the same story.
        foreach (var item in teamA.GetProperty("items").EnumerateArray())
        {
            var fromApi = await leadA.Item(item.GetProperty("id").GetGuid());
            Assert.True(fromApi.GetProperty("overdue").GetBoolean());
            Assert.Equal(fromApi.GetProperty("escalationLevel").GetInt32(), item.GetProperty("level").GetInt32());
        }
        var listed = await (await leadA.GetAsync($"/api/action-items?team={a}&overdue=true")).Body();
        Assert.Equal(3, listed.GetProperty("items").GetArrayLength());
        Assert.DoesNotContain(later, teamA.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        _ = cyd;

        var onlyB = await Report($"?team={b}");
        Assert.Equal(1, onlyB.GetProperty("totals").GetProperty("overdue").GetInt32());
        var annOnly = await Report($"?team={a}&owner=ann&level=3");
        Assert.Equal([ann1], Team(annOnly, a).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));

        // The counts follow an overdue item to its new owner.
        await leadA.Post($"/api/action-items/{ben}/assignment", new { owner = "dee" });
        var moved = Team(await Report(), a);
        Assert.Equal([("ann", 2), ("dee", 1)], moved.GetProperty("byOwner").EnumerateArray().Select(o => (o.Str("owner"), o.GetProperty("overdue").GetInt32())));
        Assert.Equal(3, moved.GetProperty("overdue").GetInt32());
    }

    [Fact]
    public async Task the_overdue_report_comes_as_csv_with_every_item()
    {
        var team = "csv-" + Guid.NewGuid().ToString("N")[..6];
        var lead = api.As("lead-csv", [team], "lead");
        var id = await lead.CreateItem(team: team, owner: "ann", title: "=HYPERLINK(\"x\"), with \"quotes\"", dueAt: api.Clock.GetUtcNow().AddDays(1).ToString("O"));
        await Tick(TimeSpan.FromDays(2));
        await api.CatchUpProjections();

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/overdue?team={team}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await lead.SendAsync(request);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        var row = Assert.Single(lines.Skip(1));
        // The columns are named as the JSON report names the same fields.
        var json = await (await lead.GetAsync($"/api/reports/overdue?team={team}")).Body();
        var item = json.GetProperty("teams")[0].GetProperty("items")[0];
        Assert.Equal(item.EnumerateObject().Select(p => p.Name).Append("team").Order(), lines[0].Split(',').Order());
        Assert.StartsWith($"{team},ann,1,{id},\"'=HYPERLINK(\"\"x\"\"), with \"\"quotes\"\"\",high,", row);
    }

    [Theory]
    [InlineData("?limit=5000", "limit")]
    [InlineData("?level=11", "level")]
    public async Task bad_report_parameters_are_400s(string query, string field)
    {
        var problem = await (await _cast.Alice.GetAsync($"/api/reports/overdue{query}")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        await (await _cast.Alice.GetAsync("/api/reports/metrics")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task team_metrics_count_each_week_and_time_to_close()
    {
        var team = "met-" + Guid.NewGuid().ToString("N")[..6];
        var lead = api.As("lead-met", [team], "lead");
        // Start of an ISO week, so the scenario's days fall in known weeks.
        var monday = ActionTracker.Api.Reports.IsoWeeks.StartOf(api.Clock.GetUtcNow()).AddDays(7).AddHours(9);
        api.Clock.Set(monday);
        var quick = await lead.CreateItem(team: team, owner: "ann", priority: "critical");      // closed in 2 days, on time
        var slow = await lead.CreateItem(team: team, owner: "ann", priority: "critical");       // overdue, closed late
        var pushed = await lead.CreateItem(team: team, owner: "ben", priority: "low");          // postponed, still open
        var dropped = await lead.CreateItem(team: team, owner: "ben", priority: "low");         // cancelled in week 2: closed, not completed
        await Tick(TimeSpan.FromDays(2));
        await lead.Post($"/api/action-items/{quick}/status", new { status = "done" });
        await lead.Post($"/api/action-items/{pushed}/due-date", new { dueAt = api.Clock.GetUtcNow().AddDays(120).ToString("O"), reason = "Next quarter." });
        for (var day = 0; day < 7; day++)
            await Tick(TimeSpan.FromDays(1)); // week 2: slow becomes overdue on day 7 after creation
        await lead.Post($"/api/action-items/{slow}/status", new { status = "done" });
        await lead.Post($"/api/action-items/{dropped}/status", new { status = "wont_do", reason = "Superseded by the new runbook." });
        await api.CatchUpProjections();

        var metrics = await (await lead.GetAsync($"/api/reports/metrics?team={team}&weeks=3")).Body();

        var weeks = metrics.GetProperty("weeks").EnumerateArray().ToList();
        Assert.Equal(3, weeks.Count);
        var (first, second) = (weeks[1], weeks[2]);
        Assert.Equal(ActionTracker.Api.Reports.IsoWeeks.Name(monday), first.Str("week"));
        Assert.Equal((4, 1, 0, 1, 3), (first.GetProperty("opened").GetInt32(), first.GetProperty("completed").GetInt32(),
            first.GetProperty("becameOverdue").GetInt32(), first.GetProperty("postponed").GetInt32(), first.GetProperty("openAtEnd").GetInt32()));
        Assert.Equal(1.0, first.GetProperty("closedByDueDate").GetDouble());
        Assert.Equal((0, 1, 1, 0, 1), (second.GetProperty("opened").GetInt32(), second.GetProperty("completed").GetInt32(),
            second.GetProperty("becameOverdue").GetInt32(), second.GetProperty("postponed").GetInt32(), second.GetProperty("openAtEnd").GetInt32()));
        Assert.Equal(0.0, second.GetProperty("closedByDueDate").GetDouble());
        var closeTime = first.GetProperty("timeToClose").EnumerateArray().Single();
        Assert.Equal(("critical", 1, 48.0), (closeTime.Str("priority"), closeTime.GetProperty("closed").GetInt32(), closeTime.GetProperty("medianHours").GetDouble()));
        Assert.Equal(1, metrics.GetProperty("openNow").GetInt32());
        // A window that starts after the items were opened still counts them in the backlog.
        var lastWeek = (await (await lead.GetAsync($"/api/reports/metrics?team={team}&weeks=1")).Body()).GetProperty("weeks").EnumerateArray().Single();
        Assert.Equal((0, 1, 1), (lastWeek.GetProperty("opened").GetInt32(), lastWeek.GetProperty("completed").GetInt32(), lastWeek.GetProperty("openAtEnd").GetInt32()));
    }

    [Fact]
    public async Task a_rebuild_from_the_admin_endpoint_reproduces_the_read_models()
    {
        var team = "reb-" + Guid.NewGuid().ToString("N")[..6];
        var lead = api.As("lead-reb", [team], "lead");
        for (var i = 0; i < 5; i++)
        {
            var id = await lead.CreateItem(team: team, owner: $"o{i}", priority: i % 2 == 0 ? "critical" : "low");
            if (i == 1)
                await lead.Post($"/api/action-items/{id}/status", new { status = "done" });
        }
        await Tick(TimeSpan.FromDays(9));
        await api.CatchUpProjections();
        var before = (await Snapshot(OverdueProjection.Table), await Snapshot(MetricsProjection.Table));
        var counts = await KeptCounts();
        Assert.Contains($"{team}/o0/", counts);
        Assert.Equal(await CountedFromDocuments(), counts);

        await (await _cast.Alice.PostAsync("/api/admin/projections/overdue/rebuild", null)).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Accepted, (await _cast.Admin.PostAsync("/api/admin/projections/overdue/rebuild", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _cast.Admin.PostAsync("/api/admin/projections/metrics/rebuild", null)).StatusCode);
        await (await _cast.Admin.PostAsync("/api/admin/projections/nope/rebuild", null)).AssertProblem(HttpStatusCode.NotFound);
        await api.CatchUpProjections(); // the runner sees the request and rebuilds
        await api.CatchUpProjections();

        Assert.Equal(before, (await Snapshot(OverdueProjection.Table), await Snapshot(MetricsProjection.Table)));
        Assert.Equal(counts, await KeptCounts()); // truncated with the documents, then followed the replay
        var statuses = (await (await _cast.Admin.GetAsync("/api/admin/projections")).Body()).GetProperty("projections").EnumerateArray().ToList();
        Assert.All(statuses, s => Assert.Equal(JsonValueKind.Null, s.GetProperty("rebuildRequestedAt").ValueKind));
        Assert.All(statuses, s => Assert.NotEqual(JsonValueKind.Null, s.GetProperty("rebuiltAt").ValueKind));
    }

    /// <summary>The overdue counts the report reads (kept by triggers beside the documents).</summary>
    private Task<string> KeptCounts() => Text(
        $"select coalesce(string_agg(team || '/' || owner || '/' || level || '=' || count, ',' order by team, owner, level), '') from {OverdueCounts.Table} where count > 0");

    private Task<string> CountedFromDocuments() => Text(
        $"select coalesce(string_agg(team || '/' || owner || '/' || level || '=' || n, ',' order by team, owner, level), '') from (select team, owner, level, count(*) as n from {OverdueProjection.Table} where overdue group by team, owner, level) c");

    private async Task<string> Text(string sql)
    {
        await using var command = api.Database.DataSource.CreateCommand(sql);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> Snapshot(string table)
    {
        await using var command = api.Database.DataSource.CreateCommand($"select coalesce(string_agg(id::text || data::text, ',' order by id), '') from {table}");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
