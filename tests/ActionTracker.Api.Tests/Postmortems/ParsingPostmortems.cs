using ActionTracker.Api.Postmortems;

namespace ActionTracker.Api.Tests.Postmortems;

/// <summary>Sample postmortems (invented incidents, one per format) and what the parser must find in them.</summary>
public static class Samples
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Postmortems", "Samples", name));

    public static ParsedPostmortem Parse(string name) => PostmortemParser.Parse(Read(name));
}

/// <summary>The parser alone: pure, no database.</summary>
public sealed class ParsingPostmortems
{
    private static string[] Titles(ParsedPostmortem parsed) => parsed.Actions.Select(a => a.Title).ToArray();

    private static string[] Skips(ParsedPostmortem parsed) => parsed.Skipped.Select(s => $"{s.Text} | {s.Reason}").ToArray();

    [Fact]
    public void a_markdown_action_items_section_yields_its_numbered_entries_and_nothing_from_the_timeline_or_lessons()
    {
        var parsed = Samples.Parse("markdown-numbered-action-items.md");

        Assert.Equal(
        [
            "Validate cache TTL values against a sane range before a config push is accepted",
            "Add the unit to every duration field in the pricing configuration, e.g. ttl_seconds",
            "Page the pricing team when the cache hit ratio falls below 80% for five minutes",
            "Load-test the pricing service at a 0% cache hit ratio",
            "Revert the TTL change and pin the old value",
        ], Titles(parsed));
        Assert.Equal(
        [
            "TBD | " + PostmortemParser.TooShort,
            "Validate cache TTL values against a sane range before a config push is accepted. | " + PostmortemParser.Duplicate,
        ], Skips(parsed));
        Assert.All(parsed.Actions, a => Assert.Equal("Action Items", a.Section));
    }

    [Fact]
    public void continuation_lines_and_sub_bullets_belong_to_their_entry_and_make_its_description()
    {
        var actions = Samples.Parse("markdown-numbered-action-items.md").Actions;

        Assert.Null(actions[0].Description);
        Assert.Equal(
            "Add the unit to every duration field in the pricing configuration, e.g. ttl_seconds. " +
            "The ambiguous names stay readable for one release, then go.",
            actions[1].Description);
        Assert.Equal(
            "Load-test the pricing service at a 0% cache hit ratio\n" +
            "- measure how many pods it needs\n" +
            "- record the result in the capacity sheet",
            actions[3].Description);
    }

    [Fact]
    public void emphasis_link_urls_and_checkboxes_are_stripped_and_a_ticked_box_is_remembered()
    {
        var actions = Samples.Parse("markdown-numbered-action-items.md").Actions;

        Assert.DoesNotContain(actions, a => a.Title.Contains('*') || (a.Description ?? "").Contains("https://", StringComparison.Ordinal));
        Assert.Equal([false, false, false, false, true], actions.Select(a => a.Checked));
        Assert.Equal(["Action Items"], Samples.Parse("markdown-numbered-action-items.md").Sections.Where(s => s.Kind == SectionKind.Action).Select(s => s.Heading));
    }

    [Fact]
    public void a_status_page_in_plain_text_yields_its_planned_corrective_actions_and_stops_at_the_updates()
    {
        var parsed = Samples.Parse("statuspage-planned-corrective-actions.txt");

        Assert.Equal(
        [
            "Generate proxy pool settings from the production capacity model instead of copying templates",
            "Break down webhook delivery latency and errors by egress proxy on the main dashboard",
            "Alert when any proxy pool rejects connections for more than two minutes",
            "Rehearse the webhook delivery runbook with each new on-call engineer during onboarding, including the steps to drain a single proxy pool",
        ], Titles(parsed));
        Assert.Equal(["We are sorry for the delays this caused and thank you for your patience. | " + PostmortemParser.OutsideList], Skips(parsed));
        Assert.Equal(["Planned Corrective Actions"], parsed.Sections.Where(s => s.Kind == SectionKind.Action).Select(s => s.Heading));
    }

    [Fact]
    public void corrective_actions_under_setext_headings_keep_their_indented_and_lazy_continuation_lines()
    {
        var parsed = Samples.Parse("corrective-actions-multiline.md");

        Assert.Equal(
        [
            "Make the indexer follow the current primary through the cluster's service address instead of a fixed host name",
            "Export the indexer's replication lag as a metric and alert when it stays above five minutes",
            "Add a failover step to the runbook: confirm that every logical replication consumer has reconnected before the failover is declared complete",
            "Drop replication slots that have been inactive for more than a day, after paging their owners",
        ], Titles(parsed));
        Assert.Equal(
            "Export the indexer's replication lag as a metric and alert when it stays above five minutes. " +
            "Route the alert to the search on-call, not to the database team.",
            parsed.Actions[1].Description);
        Assert.Equal(["The search team owns these; dates are in the tracker. | " + PostmortemParser.OutsideList], Skips(parsed));
    }

    [Fact]
    public void follow_up_actions_written_as_paragraphs_are_one_action_each()
    {
        var parsed = Samples.Parse("follow-up-paragraphs.txt");

        Assert.Equal(
        [
            "Make the backup job exit with an error when it cannot authenticate, and check its exit code in the scheduler rather than only reading its log output",
            "Alert when no backup newer than 26 hours exists for any production database",
            "Restore one production backup into a scratch environment every week and compare row counts with the source",
            "Move the backup credentials into the secret store so they rotate with everything else",
        ], Titles(parsed));
        Assert.Equal(
            "Restore one production backup into a scratch environment every week and compare row counts with the source. " +
            "A backup we have never restored is only a hope.",
            parsed.Actions[2].Description);
        Assert.Empty(parsed.Skipped);
    }

    [Fact]
    public void remediation_and_next_steps_are_both_imported_and_a_repeated_action_counts_once()
    {
        var parsed = Samples.Parse("remediation-and-next-steps.md");

        Assert.Equal(
        [
            "Issue the partner API certificate through the automated ACME pipeline like every other endpoint",
            "Add the partner API hostname to the certificate expiry monitor",
            "Alert thirty days, then seven days, before any certificate expires",
            "Inventory every certificate still renewed by hand and move each one to automation",
            "Decide who owns the partner API edge configuration: platform or partnerships",
        ], Titles(parsed));
        Assert.Equal(
        [
            "Add the partner API hostname to the certificate expiry monitor. | " + PostmortemParser.Duplicate,
            "n/a | " + PostmortemParser.TooShort,
        ], Skips(parsed));
        Assert.Equal(["Remediation", "Remediation", "Remediation", "Next steps", "Next steps"], parsed.Actions.Select(a => a.Section));
    }

    [Fact]
    public void numbered_timeline_entries_and_the_analysis_sections_are_never_imported()
    {
        var parsed = Samples.Parse("timeline-and-analysis.txt");

        Assert.Equal(
        [
            "Enforce the push provider's batch limit in the client and reject larger configured values at startup",
            "Alert when the notification queue is deeper than 10,000 messages for five minutes",
            "Document in the runbook that scaling out waits until the provider's rejection rate has been checked",
        ], Titles(parsed));
        Assert.Empty(parsed.Skipped);
        Assert.Equal(
            ["Summary", "Timeline (all times UTC)", "Root cause", "Contributing factors", "Mitigation", "Resolution", "Lessons learned"],
            parsed.Sections.Where(s => s.Kind == SectionKind.Other).Select(s => s.Heading).Skip(2));
    }

    [Fact]
    public void an_action_items_heading_in_a_quote_or_a_code_block_does_not_count()
    {
        var parsed = Samples.Parse("quoted-and-fenced.md");

        Assert.Equal(
        [
            "Give every invoice request an idempotency key derived from the order and the billing period",
            "Cap billing worker retries at three per invoice and send the rest to a dead-letter queue",
        ], Titles(parsed));
        Assert.Equal(["Next steps"], parsed.Sections.Where(s => s.Kind == SectionKind.Action).Select(s => s.Heading));
    }

    [Fact]
    public void a_document_without_an_action_section_has_no_actions_and_says_so()
    {
        var parsed = Samples.Parse("no-action-section.md");

        Assert.False(parsed.HasActionSection);
        Assert.Empty(parsed.Actions);
        Assert.Equal(["Brief outage of the status page", "Summary", "Timeline", "Root cause", "Lessons learned"], parsed.Sections.Select(s => s.Heading));
    }

    [Fact]
    public void a_table_of_action_items_yields_the_action_column_of_each_row()
    {
        var parsed = Samples.Parse("action-items-table.md");

        Assert.Equal(
        [
            "Rotate the shared deploy key and store the new one in the vault",
            "Mask secrets in CI logs even when debug output is on",
        ], Titles(parsed));
    }

    [Fact]
    public void every_sample_yields_only_actions_from_action_sections()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Postmortems", "Samples")))
        {
            var parsed = PostmortemParser.Parse(File.ReadAllText(file));
            var actionSections = parsed.Sections.Where(s => s.Kind == SectionKind.Action).Select(s => s.Heading).ToHashSet();
            Assert.All(parsed.Actions, a => Assert.Contains(a.Section, actionSections));
            Assert.All(parsed.Actions, a => Assert.InRange(a.Title.Length, 1, PostmortemParser.MaxTitle));
        }
    }

    [Theory]
    [InlineData("## Action items\n\n- Add an alert on queue depth\n\n## Appendix\n\n- Graphs of the queue depth over the day\n")]
    [InlineData("ACTION ITEMS:\n1. Add an alert on queue depth\n\nLESSONS LEARNED:\n1. Graphs of the queue depth over the day\n")]
    [InlineData("**Action items**\n\n* Add an alert on queue depth\n\n**Lessons learned**\n\n* Graphs of the queue depth over the day\n")]
    [InlineData("5. Action Items\n\n- Add an alert on queue depth\n\n6. Timeline\n\n- Graphs of the queue depth over the day\n")]
    [InlineData("Action Items\n============\n\n- Add an alert on queue depth\n\nAppendix\n========\n\n- Graphs of the queue depth over the day\n")]
    public void a_section_ends_at_the_next_heading_of_its_level_or_a_known_section(string text)
    {
        var parsed = PostmortemParser.Parse(text);

        Assert.Equal(["Add an alert on queue depth"], Titles(parsed));
    }

    [Fact]
    public void a_sub_heading_inside_an_action_section_keeps_the_actions_under_it()
    {
        var parsed = PostmortemParser.Parse(
            "## Action items\n\n### Short term\n\n- Add an alert on queue depth\n\n### Long term\n\n- Move the queue to a managed service\n\n## Appendix\n\n- Not an action at all here\n");

        Assert.Equal(["Add an alert on queue depth", "Move the queue to a managed service"], Titles(parsed));
    }

    [Fact]
    public void the_same_action_marked_up_differently_has_the_same_fingerprint()
    {
        var plain = PostmortemParser.Parse("Action items\n\n- Add an alert on queue depth\n").Actions.Single();
        var marked = PostmortemParser.Parse("## Action items\n\n1. [ ] **Add an alert** on `queue depth`.\n").Actions.Single();

        Assert.Equal(plain.Fingerprint, marked.Fingerprint);
        Assert.Equal("add an alert on queue depth", plain.Fingerprint);
    }

    [Fact]
    public void a_long_first_sentence_is_cut_at_a_word_to_the_title_limit_and_kept_whole_in_the_description()
    {
        var sentence = "Replace " + string.Join(" ", Enumerable.Repeat("every hand-written certificate renewal", 12)) + " with automation";

        var action = PostmortemParser.Parse($"## Action items\n\n- {sentence}\n").Actions.Single();

        Assert.True(action.Title.Length <= PostmortemParser.MaxTitle);
        Assert.EndsWith("…", action.Title, StringComparison.Ordinal);
        Assert.Equal(sentence, action.Description);
    }
}
