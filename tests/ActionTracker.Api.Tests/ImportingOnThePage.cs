using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ActionTracker.Api.Tests;

/// <summary>/postmortems/import: paste a document, preview its candidates, tick, import (API.md "Web pages").</summary>
public sealed class ImportingOnThePage(DevelopmentFixture api) : IClassFixture<DevelopmentFixture>
{
    /// <summary>A postmortem of our own: two actions as written, two commitments in prose, thanks that are none.</summary>
    public const string Document = """
        # Checkout outage

        ## Summary
        Card payments failed for forty minutes after the gateway certificate expired.

        ## What went well
        Thanks to the on-call engineers for a quick response.

        ## Prevention
        We will add an alert on certificate expiry two weeks ahead. We are evaluating a managed certificate service for every ingress.

        ## Action items
        - [ ] Rotate the gateway certificate automatically
        - [ ] Write the manual rotation runbook
        """;

    private static string NewTeam() => "imp-" + Guid.NewGuid().ToString("N")[..8];

    private static (string, string)[] Fields(string team, string reference, string step, params string[] ticked) =>
    [
        ("_handler", "postmortem"), ("step", step), ("title", "Checkout outage"), ("ref", reference), ("team", team),
        ("owner", ""), ("priority", "high"), ("incidentAt", "2026-11-02"), ("text", Document),
        .. ticked.Select(t => ("candidates", t)),
    ];

    private static async Task<string> Html(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        return WebUtility.HtmlDecode(html);
    }

    [Fact]
    public async Task a_member_previews_ticks_and_imports_and_only_the_ticked_actions_become_items()
    {
        var team = NewTeam();
        var reference = $"pm-{team}";
        var member = await api.SignIn("ann", team, "member");
        var page = await member.Page("/postmortems/import");

        var preview = await Html(await member.PostForm("/postmortems/import", page, Fields(team, reference, "preview")));

        Assert.Contains("Candidates (4)", preview);
        Assert.Contains("value=\"Rotate the gateway certificate automatically\" id=\"candidate-", preview);
        Assert.Contains("Add an alert on certificate expiry two weeks ahead", preview);
        Assert.DoesNotContain("on-call engineers for a quick response\" id", preview); // thanks are never candidates
        Assert.Matches("value=\"Rotate the gateway certificate automatically\" id=\"candidate-\\d+\" checked", preview);
        Assert.DoesNotMatch("value=\"Add an alert on certificate expiry two weeks ahead\" id=\"candidate-\\d+\" checked", preview);
        Assert.Equal(0, await api.Database.Scalar<long>($"select count(*) from postmortems where ref = '{reference}'"));

        var imported = await Html(await member.PostForm("/postmortems/import", preview,
            Fields(team, reference, "import", "Rotate the gateway certificate automatically", "Add an alert on certificate expiry two weeks ahead")));

        Assert.Contains("2 items created, 0 actions skipped", imported);
        var read = await api.As("ann", [team]).GetFromJsonAsync<JsonElement>($"/api/postmortems/{reference}");
        Assert.Equal(["Add an alert on certificate expiry two weeks ahead", "Rotate the gateway certificate automatically"],
            read.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()).Order(StringComparer.Ordinal));
        Assert.All(read.GetProperty("items").EnumerateArray(), i => Assert.Equal("high", i.GetProperty("priority").GetString()));

        var again = await Html(await member.PostForm("/postmortems/import", imported,
            Fields(team, reference, "import", "Rotate the gateway certificate automatically", "Write the manual rotation runbook")));
        Assert.Contains("1 item created, 1 action skipped", again);
        Assert.Contains("Rotate the gateway certificate automatically: already imported", again);
    }

    [Fact]
    public async Task nothing_is_imported_for_a_team_the_caller_is_not_in_and_the_page_says_why()
    {
        var team = NewTeam();
        var outsider = await api.SignIn("mallory", "elsewhere", "member");
        var page = await outsider.Page("/postmortems/import");
        var events = await api.EventCount();

        var refused = await Html(await outsider.PostForm("/postmortems/import", page,
            Fields(team, $"pm-{team}", "import", "Rotate the gateway certificate automatically")));

        Assert.Contains($"Nothing was imported: Only members of team '{team}'", refused);
        Assert.Equal(events, await api.EventCount());
    }

    [Fact]
    public async Task bad_fields_are_named_and_the_document_is_kept_for_the_next_try()
    {
        var team = NewTeam();
        var member = await api.SignIn("ann", team, "member");
        var page = await member.Page("/postmortems/import");

        var refused = await Html(await member.PostForm("/postmortems/import", page,
            [.. Fields(team, "not a ref!", "preview").Where(f => f.Item1 != "title"), ("title", "")]));

        Assert.Contains("Nothing was imported", refused);
        Assert.Contains("<a href=\"#field-ref\"><strong>Reference</strong></a>: The ref is 1 to 100 letters", refused);
        Assert.Contains("<a href=\"#field-title\"><strong>Title</strong></a>: The postmortem's title is required", refused);
        Assert.Matches("id=\"field-ref\"[^>]*aria-invalid=\"true\"", refused);
        Assert.DoesNotMatch("id=\"field-team\"[^>]*aria-invalid", refused);
        Assert.Contains("<title>Error: Import a postmortem", refused);
        Assert.Contains("Write the manual rotation runbook", refused); // the pasted text is still in the form
    }

    [Fact]
    public async Task a_long_document_is_previewed_like_a_short_one()
    {
        var team = NewTeam();
        var member = await api.SignIn("ann", team, "member");
        var page = await member.Page("/postmortems/import");
        var timeline = string.Concat(Enumerable.Range(0, 3000).Select(i => $"- 10:{i % 60:00} step {i}: we looked at the graphs & logs again.\n"));
        var longDocument = Document.Replace("## Prevention", $"## Timeline\n{timeline}\n## Prevention");
        Assert.True(longDocument.Length > 150_000);

        var preview = await Html(await member.PostForm("/postmortems/import", page,
            [.. Fields(team, $"pm-{team}", "preview").Where(f => f.Item1 != "text"), ("text", longDocument)]));

        Assert.Contains("Candidates (4)", preview);
    }

    [Fact]
    public async Task a_post_without_the_form_token_is_refused()
    {
        var team = NewTeam();
        var member = await api.SignIn("ann", team, "member");
        var events = await api.EventCount();

        var forged = await member.PostAsync("/postmortems/import", new FormUrlEncodedContent(
            Fields(team, $"pm-{team}", "import", "Rotate the gateway certificate automatically").Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(events, await api.EventCount());
    }
}
