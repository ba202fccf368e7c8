using System.Net;

namespace ActionTracker.Api.Tests;

/// <summary>The item page's forms: exactly the caller's actions, the API's rules, and no overwrite from a stale page.</summary>
public sealed class WorkingOnAnItemPage(DevelopmentFixture api) : IClassFixture<DevelopmentFixture>
{
    private static string NewTeam() => "item-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task each_caller_sees_buttons_for_exactly_what_it_may_do_and_a_forged_post_is_still_refused()
    {
        var team = NewTeam();
        var item = await api.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann", title: "Pin the controller");
        var owner = await api.SignIn("ann", team, "member");
        var bystander = await api.SignIn("bo", team, "member");
        var lead = await api.SignIn("lead-" + team, team, "lead");

        var ownersPage = await owner.Page($"/items/{item}");
        Assert.Equal(["Sign out", "Start", "Block", "Complete", "Add comment"], Pages.Buttons(ownersPage));
        Assert.Equal(["Sign out", "Add comment"], Pages.Buttons(await bystander.Page($"/items/{item}")));
        Assert.Contains("Won't do", Pages.Buttons(await lead.Page($"/items/{item}")));

        var events = await api.EventCount();
        var forged = await owner.PostForm($"/items/{item}/status", ownersPage, ("status", "wont_do"), ("reason", "Not worth it."), ("version", "1"));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(events, await api.EventCount());
        Assert.Contains("Not done: Only a lead of the team or an admin", await forged.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_form_from_a_stale_page_changes_nothing_and_says_so()
    {
        var team = NewTeam();
        var token = api.As("lead-" + team, [team], "lead");
        var item = await token.CreateItem(team: team, owner: "ann", title: "Rotate the certificate");
        var owner = await api.SignIn("ann", team, "member");
        var page = await owner.Page($"/items/{item}"); // rendered at version 1
        await token.Post($"/api/action-items/{item}/due-date", new { dueAt = "2030-01-15T09:00:00Z", reason = "The vendor moved its release." }); // version 2, elsewhere
        var events = await api.EventCount();

        var stale = await owner.PostForm($"/items/{item}/status", page, ("status", "blocked"), ("reason", "Waiting for the vendor's new root."), ("version", "1"));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(events, await api.EventCount());
        Assert.Equal("open", (await token.Item(item)).Str("status"));
        var again = await stale.Content.ReadAsStringAsync();
        Assert.Contains("The item changed since you opened the page, so nothing was changed", again);
        // The page as it is now (the new due date), with the reason typed still in its form.
        Assert.Contains("2030-01-15", again);
        Assert.Contains("value=\"Waiting for the vendor&#x27;s new root.\"", again);
    }

    [Fact]
    public async Task a_comment_typed_on_a_page_that_went_stale_is_added_since_comments_conflict_with_nothing()
    {
        var team = NewTeam();
        var token = api.As("lead-" + team, [team], "lead");
        var item = await token.CreateItem(team: team, owner: "ann", title: "Rotate the certificate");
        var owner = await api.SignIn("ann", team, "member");
        var page = await owner.Page($"/items/{item}"); // rendered at version 1
        await token.Post($"/api/action-items/{item}/comments", new { text = "Someone else's note, meanwhile." }); // version 2

        var comment = await owner.PostForm($"/items/{item}/comments", page, ("text", "The new certificate is in the vault."), ("version", "1"));

        Assert.Equal(HttpStatusCode.Redirect, comment.StatusCode);
        var comments = (await (await token.GetAsync($"/api/action-items/{item}/comments")).Body()).GetProperty("comments");
        Assert.Equal(["Someone else's note, meanwhile.", "The new certificate is in the vault."], comments.EnumerateArray().Select(c => c.Str("text")));
    }

    [Fact]
    public async Task a_refused_comment_shows_the_page_again_with_the_text_typed_and_writes_nothing()
    {
        var team = NewTeam();
        var item = await api.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann", title: "Rotate the certificate");
        var outsider = await api.SignIn("olga", NewTeam(), "member");
        var page = await outsider.Page($"/items/{item}");
        var events = await api.EventCount();

        var refused = await outsider.PostForm($"/items/{item}/comments", page, ("text", "Payments saw this too <b>twice</b>."));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var again = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Not done: Only members of the team, the owner and admins may comment.", again);
        Assert.Contains(">Payments saw this too &lt;b&gt;twice&lt;/b&gt;.</textarea>", again);
        Assert.Equal(events, await api.EventCount());
    }

    [Fact]
    public async Task the_owner_starts_comments_and_completes_and_the_history_shows_each_step()
    {
        var team = NewTeam();
        var item = await api.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann", title: "Document the failover");
        var owner = await api.SignIn("ann", team, "member");

        var page = await owner.Page($"/items/{item}");
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostForm($"/items/{item}/status", page, ("status", "in_progress"), ("version", "1"))).StatusCode);
        page = await owner.Page($"/items/{item}");
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostForm($"/items/{item}/comments", page, ("text", "Draft is up for review."), ("version", "2"))).StatusCode);
        page = await owner.Page($"/items/{item}");
        var done = await owner.PostForm($"/items/{item}/status", page, ("status", "done"), ("resolution", "Runbook merged."), ("version", "3"));

        var final = await owner.Page(done.Headers.Location!.OriginalString);
        Assert.Contains("Now done.", final);
        Assert.Contains("Runbook merged.", final);
        Assert.Contains("Draft is up for review.", final);
        Assert.Contains("<strong>started</strong> by ann", final);
        Assert.Contains("<strong>completed</strong> by ann", final);
        Assert.Equal("done", (await api.As("ann", [team], "member").Item(item)).Str("status"));
    }

    [Fact]
    public async Task unknown_items_postmortems_and_addresses_are_a_not_found_page_with_a_404()
    {
        var browser = await api.SignIn("ann", NewTeam(), "member");

        foreach (var url in new[] { "/no/such/page", "/postmortems/pm-never-imported", $"/items/{Guid.NewGuid()}" })
        {
            var response = await browser.GetAsync(url);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.Content.Headers.ContentType?.MediaType == "text/html", $"{url}: {response.Content.Headers.ContentType} {html}");
            Assert.Contains("<h1>Not found</h1>", html);
            Assert.Contains("Signed in as <strong>ann</strong>", html); // the site's own page, not an error document
        }
    }

    [Fact]
    public async Task a_post_without_the_forms_token_is_a_400_and_changes_nothing()
    {
        var team = NewTeam();
        var item = await api.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann");
        var owner = await api.SignIn("ann", team, "member");
        var events = await api.EventCount();

        var response = await owner.PostAsync($"/items/{item}/status", new FormUrlEncodedContent([new("status", "in_progress"), new("version", "1")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(events, await api.EventCount());
    }
}
