using System.Net;
using System.Net.Http.Json;
using ActionTracker.Api.Tests.Postmortems;

namespace ActionTracker.Api.Tests;

/// <summary>The web board, read as a person signed in through the Development sign-in.</summary>
public sealed class ReadingTheBoard(DevelopmentFixture api) : IClassFixture<DevelopmentFixture>
{
    private static string NewTeam() => "board-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task signed_out_the_root_and_the_board_lead_to_sign_in()
    {
        var client = api.CreateClient();

        var root = await client.GetAsync("/");
        var board = await client.GetAsync($"/teams/{NewTeam()}");

        Assert.Equal("/signin", root.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, board.StatusCode);
        // The sign-in redirect is relative: the Host header must not steer it (issue 32.3).
        Assert.False(board.Headers.Location!.IsAbsoluteUri);
        Assert.StartsWith("/signin", board.Headers.Location.OriginalString);
        Assert.Contains("action=\"/signin/dev\"", await client.Page("/signin"));
    }

    [Fact]
    public async Task a_lead_signs_in_and_sees_the_team_board_overdue_first_with_days_and_who_it_is_escalated_to()
    {
        var team = NewTeam();
        var token = api.As("lena", [team], "lead");
        var put = await token.PutAsJsonAsync($"/api/teams/{team}", new { name = "Board testers", leads = new[] { "lena", "luis" }, escalationContact = "vp-eng" });
        Assert.True(put.IsSuccessStatusCode);
        var late = await token.CreateItem(team: team, owner: "ann", priority: "critical", title: "Version lock the controller");
        await token.CreateItem(team: team, owner: "bo", priority: "low", title: "Mirror the base image");
        var done = await token.CreateItem(team: team, owner: "bo", priority: "low", title: "Already finished");
        await token.Post($"/api/action-items/{done}/status", new { status = "done" });
        api.Clock.Advance(TimeSpan.FromDays(8)); // the critical item was due after 7 days
        await api.Services.RunDue();
        api.Clock.Advance(TimeSpan.FromDays(3));
        await api.Services.RunDue();
        Assert.Equal(2, (await token.Item(late)).GetProperty("escalationLevel").GetInt32());

        var browser = await api.SignIn("lena", team, "lead");
        var home = await browser.GetAsync("/");
        var html = await browser.Page($"/teams/{team}");

        Assert.Equal($"/teams/{team}", home.Headers.Location?.OriginalString);
        Assert.Contains("Board testers", html);
        Assert.Contains("2 open items, overdue first", html);
        Assert.DoesNotContain("Already finished", html);
        Assert.True(html.IndexOf("Version lock the controller", StringComparison.Ordinal) < html.IndexOf("Mirror the base image", StringComparison.Ordinal));
        Assert.Contains("4 days overdue</strong>, escalated to lena, luis", html);
        Assert.Contains("<tr class=\"overdue\">", html);
    }

    [Fact]
    public async Task the_team_page_charts_the_last_twelve_weeks_opened_completed_and_open()
    {
        var team = NewTeam();
        var token = api.As("lead-" + team, [team], "lead");
        var first = await token.CreateItem(team: team, owner: "ann", title: "Pin the chart version");
        await token.CreateItem(team: team, owner: "ann", title: "Alert on certificate expiry");
        api.Clock.Advance(TimeSpan.FromDays(7));
        await token.Post($"/api/action-items/{first}/status", new { status = "done" });
        await token.CreateItem(team: team, owner: "bo", title: "Mirror the base image");
        await api.CatchUpProjections();
        var thisWeek = Api.Reports.IsoWeeks.Name(Api.Reports.IsoWeeks.StartOf(api.Clock.GetUtcNow()));
        var lastWeek = Api.Reports.IsoWeeks.Name(Api.Reports.IsoWeeks.StartOf(api.Clock.GetUtcNow().AddDays(-7)));

        var html = await (await api.SignIn("ann", team, "member")).Page($"/teams/{team}");

        Assert.Contains("<h2 id=\"metrics-heading\">The last 12 weeks</h2>", html);
        Assert.Contains("<svg viewBox=\"0 0 600 150\" role=\"img\"", html);
        Assert.Equal(12, System.Text.RegularExpressions.Regex.Matches(html, "<rect [^>]*class=\"completed\"").Count);
        Assert.Contains("3 opened, 1 completed; open at the end went from 0 to 2.", html);
        // The figures as a table: last week two opened, none done; this week one opened, one done.
        Assert.Contains($"<th scope=\"row\">{lastWeek}</th><td>2</td><td>0</td><td>0</td><td>2</td>", html);
        Assert.Contains($"<th scope=\"row\">{thisWeek}</th><td>1</td><td>1</td><td>0</td><td>2</td>", html);
    }

    [Fact]
    public async Task the_board_filters_by_words_owner_and_priority_and_says_what_it_cannot_read()
    {
        var team = NewTeam();
        var token = api.As("lead-" + team, [team], "lead");
        await token.CreateItem(team: team, owner: "ann", priority: "high", title: "Rotate the signing certificate");
        await token.CreateItem(team: team, owner: "bo", priority: "low", title: "Rotate the database password");
        await token.CreateItem(team: team, owner: "bo", priority: "high", title: "Document the failover");
        var browser = await api.SignIn("bo", team, "member");

        var rotate = await browser.Page($"/teams/{team}?q=rotate");
        var bosHigh = await browser.Page($"/teams/{team}?owner=bo&priority=high");
        var unknown = await browser.Page($"/teams/{team}?priority=urgent");

        Assert.Contains("2 open items", rotate);
        Assert.DoesNotContain("Document the failover", rotate);
        Assert.Contains("1 open item,", bosHigh);
        Assert.Contains("Document the failover", bosHigh);
        Assert.Contains("The priority is one of critical, high, medium, low.", unknown);
        Assert.Contains("value=\"rotate\"", rotate); // the form shows what was asked
    }

    [Fact]
    public async Task the_overdue_report_page_shows_the_same_data_as_the_api()
    {
        var team = NewTeam();
        var token = api.As("lead-" + team, [team], "lead");
        var late = await token.CreateItem(team: team, owner: "gus", priority: "critical", title: "Fence the batch job");
        api.Clock.Advance(TimeSpan.FromDays(9));
        await api.Services.RunDue();
        await api.CatchUpProjections();
        var browser = await api.SignIn("gus", team, "member");

        var html = await browser.Page($"/reports/overdue?team={team}");
        var json = await (await token.GetAsync($"/api/reports/overdue?team={team}")).Body();

        var item = json.GetProperty("teams")[0].GetProperty("items")[0];
        Assert.Equal(late, item.GetProperty("id").GetGuid());
        Assert.Contains($"<a href=\"/items/{late}\">Fence the batch job</a>", html);
        Assert.Contains($"<td>{item.GetProperty("daysOverdue").GetInt32()}</td>", html);
        Assert.Contains($"{team}</a>: 1 overdue", html);
    }

    [Fact]
    public async Task the_digest_page_shows_the_callers_teams_digest()
    {
        var (mine, theirs) = (NewTeam(), NewTeam());
        await api.As("lead-" + mine, [mine], "lead").CreateItem(team: mine, owner: "hal", priority: "critical", title: "Add the missing alert");
        await api.As("lead-" + theirs, [theirs], "lead").CreateItem(team: theirs, owner: "ida", title: "Not for hal's eyes");
        api.Clock.Advance(TimeSpan.FromDays(8));
        await api.Services.RunDue();
        await api.CatchUpProjections();
        Assert.Equal(HttpStatusCode.OK, (await api.As("root", [], "admin").PostAsync("/api/digests/weekly/run", null)).StatusCode);
        var browser = await api.SignIn("hal", mine, "member");

        var html = await browser.Page("/digests/weekly/latest");

        Assert.Contains($"{mine}</a>: 1 overdue", html);
        Assert.Contains("Add the missing alert", html);
        Assert.DoesNotContain(theirs, html);
    }

    [Fact]
    public async Task a_postmortem_page_shows_its_items_and_progress()
    {
        var team = NewTeam();
        var lead = api.As("lead-" + team, [team], "lead");
        var reference = "pm-" + team;
        var imported = await lead.Import(reference, "## Action items\n\n- Pin the controller version\n- Alert on certificate expiry\n",
            team: team, title: "Controller upgrade outage", owner: "ann");
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var first = (await imported.Body()).GetProperty("created")[0].GetProperty("id").GetGuid();
        await lead.Post($"/api/action-items/{first}/status", new { status = "done" });
        var browser = await api.SignIn("ann", team, "member");

        var html = await browser.Page($"/postmortems/{reference}");

        Assert.Contains("<h1>Controller upgrade outage</h1>", html);
        Assert.Contains("<strong>1 of 2 done</strong>", html);
        Assert.Contains("Pin the controller version", html);
        Assert.Contains("Alert on certificate expiry", html);
    }

    [Fact]
    public async Task my_items_are_the_callers_open_items_across_teams()
    {
        var (one, two) = (NewTeam(), NewTeam());
        var token = api.As("lead-both", [one, two], "lead");
        await token.CreateItem(team: one, owner: "cy", title: "Item of the first team for cy");
        await token.CreateItem(team: two, owner: "cy", title: "Item of the second team for cy");
        await token.CreateItem(team: two, owner: "dee", title: "Item for somebody else");
        var browser = await api.SignIn("cy", one, "member");

        var html = await browser.Page("/me");

        Assert.Contains("Item of the first team for cy", html);
        Assert.Contains("Item of the second team for cy", html);
        Assert.DoesNotContain("Item for somebody else", html);
    }

    [Fact]
    public async Task signing_out_with_the_forms_token_ends_the_session()
    {
        var team = NewTeam();
        var browser = await api.SignIn("fay", team, "member");
        var board = await browser.Page($"/teams/{team}");
        var token = System.Text.RegularExpressions.Regex.Match(board, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var signOut = await browser.PostAsync("/signout", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        var after = await browser.GetAsync($"/teams/{team}");

        Assert.True(signOut.Headers.Location?.OriginalString == "/signin", $"{(int)signOut.StatusCode} {await signOut.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task the_session_cookie_does_not_authorize_the_json_api_and_signing_out_needs_the_forms_token()
    {
        var browser = await api.SignIn("eve", NewTeam(), "admin");

        var api_ = await browser.GetAsync("/api/action-items");
        var forged = await browser.PostAsync("/signout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Unauthorized, api_.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }
}

/// <summary>Outside Development the Development sign-in does not exist.</summary>
public sealed class SigningInOutsideDevelopment(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task the_development_sign_in_is_a_404()
    {
        var response = await api.CreateClient().GetAsync("/signin/dev?sub=mallory&role=admin");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }
}
