using System.Net;
using System.Text.Json;
using ActionTracker.Api.Postmortems;
using ActionTracker.Api.Postmortems.Preview;

namespace ActionTracker.Api.Tests.Postmortems;

/// <summary>Sections first, then candidates: the parser and the commitment finder alone (pure).</summary>
public sealed class FindingSectionsAndCandidates
{
    private static (string Heading, SectionKind Kind)[] Sections(ParsedPostmortem parsed) =>
        parsed.Sections.Select(s => (s.Heading, s.Kind)).ToArray();

    [Fact]
    public void a_plain_text_action_list_ends_at_the_next_heading_whatever_its_name()
    {
        var parsed = Samples.Parse("plain-text-actions-then-unknown-sections.txt");

        Assert.Equal(
        [
            "Add a canary stage for configuration changes to the payment gateway",
            "Alert when the connection pool of the gateway is more than 90% used",
            "Document how to raise the pool limit during an incident",
        ], parsed.Actions.Select(a => a.Title));
        Assert.Equal(
        [
            ("Summary", SectionKind.Other), ("Action Items", SectionKind.Action), ("Attendees", SectionKind.Other),
            ("Stats", SectionKind.Other), ("Things to fix later", SectionKind.Other), ("Glossary", SectionKind.Other),
        ], Sections(parsed));
    }

    [Fact]
    public void every_heading_style_opens_a_section_markdown_setext_bold_numbered_upper_case_and_a_line_above_a_list()
    {
        var parsed = Samples.Parse("mixed-heading-styles.md");

        Assert.Equal(
        [
            ("Search index rebuild stalled", SectionKind.Other), ("Summary", SectionKind.Other), ("Timeline", SectionKind.Other),
            ("Root cause", SectionKind.Other), ("ACTION ITEMS", SectionKind.Action), ("Owners", SectionKind.Other),
            ("Appendix", SectionKind.Other),
        ], Sections(parsed));
        Assert.Equal(
        [
            "Fail the schema change pipeline when the indexer mapping lacks a field",
            "Page the search on-call engineer when a rebuild makes no progress for 15 minutes",
            "Add the indexer team to the reviewers of the schema repository",
        ], parsed.Actions.Select(a => a.Title));
    }

    [Fact]
    public void a_prose_section_about_change_gives_its_commitments_as_concise_actions_and_nothing_else()
    {
        var parsed = Samples.Parse("prose-only-prevention.txt");

        Assert.False(parsed.HasActionSection);
        Assert.Contains(("What we are changing", SectionKind.Prose), Sections(parsed));
        var candidates = PostmortemPreview.Candidates(parsed);
        Assert.Equal(
        [
            "Automate the rotation of every certificate the agents use, so that no rotation depends on a person remembering it",
            "Alert the on-call engineer thirty days before any agent certificate expires",
            "Evaluate a second scheduler region so that agents can register elsewhere during an outage",
        ], candidates.Select(c => c.Text));
        Assert.All(candidates, c =>
        {
            Assert.Equal("What we are changing", c.Section);
            Assert.Equal(PostmortemPreview.Commitment, c.Confidence);
            Assert.StartsWith("a commitment in the prose section \"What we are changing\"", c.Reason);
        });
        // The apology, what was already done, the thanks, what happened and the status updates are not there.
        Assert.DoesNotContain(candidates, c => c.Text.Contains("sorry", StringComparison.OrdinalIgnoreCase)
                                               || c.Text.Contains("expiry check") || c.Text.Contains("monitor") || c.Text.Contains("rotated"));
    }

    [Fact]
    public void entries_of_an_action_section_are_candidates_of_high_confidence_in_document_order()
    {
        var candidates = PostmortemPreview.Candidates(Samples.Parse("markdown-numbered-action-items.md"));

        Assert.Equal(PostmortemHttp.CheckoutActions, candidates.Select(c => c.Text));
        Assert.All(candidates, c => Assert.Equal((PostmortemPreview.ActionEntry, "an entry of the action section \"Action Items\""), (c.Confidence, c.Reason)));
        Assert.Equal(candidates.OrderBy(c => c.Line).Select(c => c.Line), candidates.Select(c => c.Line));
    }

    [Theory]
    [InlineData("We will add a canary stage for every config change.", "Add a canary stage for every config change")]
    [InlineData("We are adding rate limits to the export API.", "Add rate limits to the export API")]
    [InlineData("Our infrastructure engineering team is enhancing the upgrade process for clusters.", "Enhance the upgrade process for clusters")]
    [InlineData("In addition, we're evaluating a managed queue for the relay.", "Evaluate a managed queue for the relay")]
    [InlineData("We plan to move the supervisor image off the public registry.", "Move the supervisor image off the public registry")]
    [InlineData("We are improving how alerts are routed.", "Improve how alerts are routed")]
    [InlineData("We have begun migrating the jobs to the new scheduler.", "Migrate the jobs to the new scheduler")]
    public void a_commitment_becomes_one_action_in_the_imperative(string sentence, string action) =>
        Assert.Equal(action, Commitments.Action(sentence));

    [Theory]
    [InlineData("We have enhanced observability with new alerts.")]
    [InlineData("We thank you for your patience.")]
    [InlineData("We apologize for the impact this had on your work.")]
    [InlineData("We will continue to monitor the situation.")]
    [InlineData("This incident has been resolved.")]
    [InlineData("The scheduler restarted at 09:14 and the queue drained.")]
    public void thanks_apologies_status_updates_and_what_happened_are_never_commitments(string sentence) =>
        Assert.Empty(Commitments.In(sentence));
}

/// <summary>POST /api/postmortems/preview, then an import of what was chosen.</summary>
public sealed class PreviewingThenImporting(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private Task<HttpResponseMessage> Preview(HttpClient client, string reference, string text, string[]? section = null) =>
        client.Post("/api/postmortems/preview", new { title = "Builds stuck in queue", @ref = reference, team = "platform", text, section });

    private Task<HttpResponseMessage> ImportChosen(HttpClient client, string reference, string text, string[]? candidates = null, string[]? section = null) =>
        client.Post("/api/postmortems", new { title = "Builds stuck in queue", @ref = reference, team = "platform", text, candidates, section });

    private Task<long> ItemsOf(string reference) =>
        api.Database.Scalar<long>("select count(*) from mt_doc_action_item where sourceref = $1", reference);

    [Fact]
    public async Task a_preview_lists_sections_and_candidates_and_creates_nothing()
    {
        var events = await api.EventCount();
        var response = await Preview(_cast.Alice, "pm-builds-stuck", Samples.Read("prose-only-prevention.txt"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Body();
        Assert.Contains(body.GetProperty("sections").EnumerateArray(), s => s.Str("heading") == "What we are changing" && s.Str("kind") == "prose");
        var candidates = body.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(3, candidates.Count);
        Assert.All(candidates, c =>
        {
            Assert.Equal("What we are changing", c.Str("section"));
            Assert.True(c.GetProperty("line").GetInt32() > 0);
            Assert.Equal(0.6, c.GetProperty("confidence").GetDouble());
            Assert.Contains("commitment", c.Str("reason"));
        });
        Assert.Equal(events, await api.EventCount());
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from postmortems where ref = 'pm-builds-stuck'"));
    }

    [Fact]
    public async Task a_prose_only_postmortem_is_imported_through_preview_and_choice_and_a_second_import_adds_nothing()
    {
        var text = Samples.Read("prose-only-prevention.txt");
        Assert.Equal(HttpStatusCode.BadRequest, (await _cast.Alice.Import("pm-prose", text)).StatusCode);
        var candidates = (await (await Preview(_cast.Alice, "pm-prose", text)).Body()).GetProperty("candidates")
            .EnumerateArray().Select(c => c.Str("text")).ToArray();

        var chosen = candidates[..2];
        var imported = await ImportChosen(_cast.Alice, "pm-prose", text, chosen);

        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var created = (await imported.Body()).GetProperty("created");
        Assert.Equal(chosen, created.Titles());
        // Each item keeps the sentence it was worded from.
        Assert.StartsWith("Our platform team is automating the rotation", created[0].Str("description"));
        Assert.Equal(2L, await ItemsOf("pm-prose"));
        var again = await ImportChosen(_cast.Alice, "pm-prose", text, chosen);
        Assert.Empty((await again.Body()).GetProperty("created").EnumerateArray());
        Assert.Equal(2L, await ItemsOf("pm-prose"));
    }

    [Fact]
    public async Task naming_a_section_imports_its_entries_whatever_its_name()
    {
        var text = Samples.Read("plain-text-actions-then-unknown-sections.txt");

        var imported = await ImportChosen(_cast.Alice, "pm-later", text, section: ["things to fix later"]);

        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        Assert.Equal(
            ["Split the gateway configuration into one file per card processor", "Review every pool limit in the payment services"],
            (await imported.Body()).GetProperty("created").Titles());
        Assert.Equal(2L, await ItemsOf("pm-later"));
    }

    [Fact]
    public async Task a_choice_that_is_not_a_candidate_or_a_section_the_document_lacks_is_a_400_that_writes_nothing()
    {
        var text = Samples.Read("prose-only-prevention.txt");
        var events = await api.EventCount();

        var notCandidate = await ImportChosen(_cast.Alice, "pm-bad-choice", text, ["Rewrite the scheduler in a weekend"]);
        var problem = await notCandidate.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Contains("Rewrite the scheduler in a weekend", problem.GetProperty("errors").GetProperty("candidates")[0].GetString());
        var noSuchSection = await ImportChosen(_cast.Alice, "pm-bad-choice", text, section: ["Corrective actions"]);
        var sectionProblem = await noSuchSection.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Contains("What we are changing", sectionProblem.GetProperty("errors").GetProperty("section")[0].GetString());

        Assert.Equal(events, await api.EventCount());
        Assert.Equal(0L, await ItemsOf("pm-bad-choice"));
    }

    [Fact]
    public async Task a_document_with_an_action_section_still_imports_in_one_call()
    {
        var imported = await _cast.Alice.Import("pm-one-call", Samples.Read("mixed-heading-styles.md"));

        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        Assert.Equal(3, (await imported.Body()).GetProperty("created").GetArrayLength());
    }

    [Fact]
    public async Task an_outsider_cannot_preview_for_another_team()
    {
        await (await Preview(_cast.Olga, "pm-outsider", Samples.Read("prose-only-prevention.txt"))).AssertProblem(HttpStatusCode.Forbidden);
    }
}
