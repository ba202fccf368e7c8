using System.Net.Http.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ActionTracker.Api.Tests;

/// <summary>The board in a real browser: signing in, filtering, and an accessibility check of every page seen.</summary>
public sealed class UsingTheBoardInABrowser(BrowserFixture web) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async ValueTask InitializeAsync()
    {
        _context = await web.Browser.NewContextAsync(new() { BaseURL = web.BaseAddress.ToString() });
        _page = await _context.NewPageAsync();
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private static string NewTeam() => "web-" + Guid.NewGuid().ToString("N")[..8];

    private async Task SignIn(string sub, string team, string role)
    {
        await _page.GotoAsync("/");
        Assert.EndsWith("/signin", _page.Url);
        await _page.GetByLabel("User id").FillAsync(sub);
        await _page.GetByLabel("Team").FillAsync(team);
        await _page.GetByLabel("Role").SelectOptionAsync(role);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>
    /// Waits until the page is at <paramref name="url"/> (a glob: ** any characters, * any but /)
    /// and its heading is there. The address is polled, not awaited as a navigation event: a
    /// redirect chain (sign-in, /, the board) once committed before the wait for its event began,
    /// and the wait never ended though the browser showed the page.
    /// </summary>
    private async Task Arrive(string url)
    {
        var pattern = new Regex("^" + string.Concat(url.Split("**").Select(part => string.Join("[^/]*", part.Split('*').Select(Regex.Escape)))
            .Aggregate((a, b) => a + ".*" + b)) + "$");
        try
        {
            await Assertions.Expect(_page).ToHaveURLAsync(pattern, new() { Timeout = 15_000 });
        }
        catch (PlaywrightException)
        {
            // Say where the browser is instead, and what it shows.
            var body = await _page.Locator("body").InnerTextAsync();
            throw new TimeoutException($"Never reached {url}; at {_page.Url}: {body[..Math.Min(300, body.Length)]}");
        }
        await _page.Locator("main h1").WaitForAsync();
    }

    /// <summary>axe-core in this page: no serious or critical finding; a screenshot is kept either way.</summary>
    private async Task AssertAccessible(string name)
    {
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, $"{name}.png"), FullPage = true });
        var results = await _page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}").ToList();
        Assert.True(serious.Count == 0, $"{name}: {string.Join("; ", serious)}");
    }

    [Fact]
    public async Task a_lead_signs_in_sees_the_overdue_item_first_and_filters_the_board()
    {
        var team = NewTeam();
        var api = web.As("lena", [team], "lead");
        Assert.True((await api.PutAsJsonAsync($"/api/teams/{team}", new { name = "Browser testers", leads = new[] { "lena" } })).IsSuccessStatusCode);
        await api.CreateItem(team: team, owner: "ann", priority: "low", title: "Mirror the base image");
        await api.CreateItem(team: team, owner: "bo", priority: "critical", title: "Version lock the controller");
        await api.CreateItem(team: team, owner: "ann", priority: "medium", title: "Rotate the signing certificate");
        web.Clock.Advance(TimeSpan.FromDays(8)); // the critical item (7 days) is overdue

        await SignIn("lena", team, "lead");
        await Arrive($"**/teams/{team}");
        await AssertAccessible("board");

        Assert.Equal("Browser testers", (await _page.GetByRole(AriaRole.Heading, new() { Level = 1 }).TextContentAsync())?.Split(team)[0].Trim());
        var rows = _page.Locator("table.items tbody tr");
        Assert.Equal(3, await rows.CountAsync());
        Assert.Contains("Version lock the controller", await rows.First.TextContentAsync());
        Assert.Contains("1 day overdue", await rows.First.TextContentAsync());

        await _page.GetByLabel("Words").FillAsync("rotate");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Arrive("**q=rotate**");
        Assert.Equal(1, await rows.CountAsync());
        Assert.Contains("Rotate the signing certificate", await rows.First.TextContentAsync());
        Assert.Equal("rotate", await _page.GetByLabel("Words").InputValueAsync());
    }

    [Fact]
    public async Task the_owner_opens_an_item_from_the_board_starts_it_comments_and_completes_it()
    {
        var team = NewTeam();
        await web.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann", title: "Automate the certificate renewal");
        await SignIn("ann", team, "member");
        await Arrive($"**/teams/{team}");

        await _page.GetByRole(AriaRole.Link, new() { Name = "Automate the certificate renewal" }).ClickAsync();
        await Arrive("**/items/**");
        await AssertAccessible("item");
        Assert.Equal(0, await _page.GetByRole(AriaRole.Button, new() { Name = "Won't do" }).CountAsync()); // a lead's action

        await _page.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await _page.GetByText("Now in progress.").WaitForAsync();
        await _page.GetByRole(AriaRole.Textbox, new() { Name = "Comment" }).FillAsync("Renewal job drafted.");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Add comment" }).ClickAsync();
        await _page.GetByText("Comment added.").WaitForAsync();
        await _page.GetByLabel("Resolution (optional)").FillAsync("Renewed by a timer now.");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await _page.GetByText("Now done.").WaitForAsync();
        await AssertAccessible("item-done");

        var history = await _page.Locator("ol.timeline").TextContentAsync();
        Assert.Contains("started by ann", history);
        Assert.Contains("commented by ann", history);
        Assert.Contains("completed by ann", history);
        Assert.Contains("Renewal job drafted.", await _page.Locator("ol.comments").TextContentAsync());
    }

    [Fact]
    public async Task on_a_phone_a_member_filters_the_board_with_the_keyboard()
    {
        var team = NewTeam();
        var api = web.As("lead-" + team, [team], "lead");
        await api.CreateItem(team: team, owner: "kai", title: "Rotate the deploy key");
        await api.CreateItem(team: team, owner: "lou", title: "Tag the base image");
        await using var phone = await web.Browser.NewContextAsync(new() { BaseURL = web.BaseAddress.ToString(), ViewportSize = new() { Width = 375, Height = 667 }, IsMobile = true });
        var page = await phone.NewPageAsync();
        _page = page;

        // (Signing in by typing and Enter timed out once in a full-suite run, never alone or under
        // load; Arrive now says where the browser was. Sign-in clicks, as the other scenarios do.)
        await SignIn("kai", team, "member");
        await Arrive($"**/teams/{team}");
        await page.GetByLabel("Owner").FocusAsync();
        await page.Keyboard.TypeAsync("kai");
        await page.Keyboard.PressAsync("Enter");
        await Arrive("**owner=kai**");

        Assert.Equal(1, await page.Locator("table.items tbody tr").CountAsync());
        Assert.Contains("Rotate the deploy key", await page.Locator("table.items").TextContentAsync());
        // The layout fits: nothing wider than the screen.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the board scrolls sideways on a phone");
        await AssertAccessible("board-phone");
    }

    [Fact]
    public async Task a_member_imports_a_postmortem_through_the_preview_choosing_what_to_track()
    {
        var team = NewTeam();
        await SignIn("ann", team, "member");
        await Arrive($"**/teams/{team}");
        await _page.GetByRole(AriaRole.Link, new() { Name = "Import a postmortem" }).ClickAsync();
        await Arrive("**/postmortems/import");

        await _page.GetByLabel("Title").FillAsync("Checkout outage");
        await _page.GetByLabel("Reference").FillAsync($"pm-{team}");
        await _page.GetByLabel("Document").FillAsync(ImportingOnThePage.Document);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await _page.GetByText("Candidates (4)").WaitForAsync();
        await AssertAccessible("postmortem-preview");

        Assert.True(await _page.GetByLabel("Write the manual rotation runbook", new() { Exact = true }).IsCheckedAsync()); // an action as written
        Assert.False(await _page.GetByLabel("Add an alert on certificate expiry two weeks ahead", new() { Exact = true }).IsCheckedAsync()); // worded from prose
        await _page.GetByLabel("Write the manual rotation runbook", new() { Exact = true }).UncheckAsync();
        await _page.GetByLabel("Add an alert on certificate expiry two weeks ahead", new() { Exact = true }).CheckAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Import ticked" }).ClickAsync();
        await _page.GetByText("2 items created").WaitForAsync();

        await _page.GetByRole(AriaRole.Link, new() { Name = "Checkout outage" }).ClickAsync();
        await Arrive($"**/postmortems/pm-{team}");
        await AssertAccessible("postmortem");
        var items = await _page.Locator("table.items").TextContentAsync();
        Assert.Contains("Rotate the gateway certificate automatically", items);
        Assert.Contains("Add an alert on certificate expiry two weeks ahead", items);
        Assert.DoesNotContain("Write the manual rotation runbook", items);
    }

    [Fact]
    public async Task the_sign_in_page_and_my_items_are_accessible_and_signing_out_ends_the_session()
    {
        var team = NewTeam();
        await web.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "cy", title: "An item for cy");
        await _page.GotoAsync("/signin");
        await AssertAccessible("signin");

        await SignIn("cy", team, "member");
        await _page.GotoAsync("/me");
        await AssertAccessible("me");
        Assert.Contains("An item for cy", await _page.Locator("table.items").TextContentAsync());
        await _page.GotoAsync("/reports/overdue");
        await AssertAccessible("overdue-report");
        await _page.GotoAsync("/digests/weekly/latest");
        await AssertAccessible("digest");
        await _page.GotoAsync($"/items/{Guid.NewGuid()}");
        await AssertAccessible("not-found");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Arrive("**/signin");
        await _page.GotoAsync("/me");
        Assert.Contains("/signin", _page.Url);
    }
}
