using System.Net;
using System.Text.Json;
using ActionTracker.Api.Postmortems;

namespace ActionTracker.Api.Tests.Postmortems;

public static class PostmortemHttp
{
    public const string CheckoutTitle = "Checkout latency after a cache eviction storm";

    public static readonly string[] CheckoutActions =
    [
        "Validate cache TTL values against a sane range before a config push is accepted",
        "Add the unit to every duration field in the pricing configuration, e.g. ttl_seconds",
        "Page the pricing team when the cache hit ratio falls below 80% for five minutes",
        "Load-test the pricing service at a 0% cache hit ratio",
        "Revert the TTL change and pin the old value",
    ];

    /// <summary>Imports a document as JSON; extra fields (owner, priority, incidentAt) may be given.</summary>
    public static Task<HttpResponseMessage> Import(this HttpClient client, string reference, string text,
        string team = "platform", string title = CheckoutTitle, string? owner = null, string? priority = null, string? incidentAt = null) =>
        client.Post("/api/postmortems", new { title, @ref = reference, team, owner, priority, text, incidentAt });

    public static string[] Titles(this JsonElement items) => items.EnumerateArray().Select(i => i.Str("title")).ToArray();

    public static string[] Reasons(this JsonElement skipped) => skipped.EnumerateArray().Select(s => s.Str("reason")).ToArray();
}

/// <summary>POST /api/postmortems: a document in, one item per action out, and re-imports that add only what is new.</summary>
public sealed class ImportingPostmortems(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private Task<long> ItemsOf(string reference) =>
        api.Database.Scalar<long>("select count(*) from mt_doc_action_item where sourceref = $1", reference);

    [Fact]
    public async Task each_action_of_the_document_becomes_an_open_item_linked_to_the_postmortem()
    {
        var response = await _cast.Alice.Import("pm-checkout-latency", Samples.Read("markdown-numbered-action-items.md"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/postmortems/pm-checkout-latency", response.Headers.Location?.OriginalString);
        var body = await response.Body();
        Assert.Equal("pm-checkout-latency", body.GetProperty("postmortem").Str("ref"));
        Assert.Equal(PostmortemHttp.CheckoutTitle, body.GetProperty("postmortem").Str("title"));
        var created = body.GetProperty("created");
        Assert.Equal(PostmortemHttp.CheckoutActions, created.Titles());
        foreach (var item in created.EnumerateArray())
        {
            Assert.Equal("open", item.Str("status"));
            Assert.Equal("platform", item.Str("team"));
            Assert.Equal("alice", item.Str("owner"));
            Assert.Equal("medium", item.Str("priority"));
            var source = item.GetProperty("source");
            Assert.Equal(("postmortem", "pm-checkout-latency", PostmortemHttp.CheckoutTitle), (source.Str("kind"), source.Str("ref"), source.Str("title")));
            Assert.Equal(item.ToString(), (await _cast.Bob.Item(item.GetProperty("id").GetGuid())).ToString());
        }
        Assert.Equal([PostmortemParser.TooShort, PostmortemParser.Duplicate], body.GetProperty("skipped").Reasons());
        Assert.Equal("TBD", body.GetProperty("skipped")[0].Str("text"));
        Assert.Equal(5L, await ItemsOf("pm-checkout-latency"));
    }

    [Fact]
    public async Task a_longer_entry_keeps_its_whole_text_as_the_description_and_a_ticked_box_is_labelled()
    {
        var created = (await (await _cast.Alice.Import("pm-descriptions", Samples.Read("markdown-numbered-action-items.md"))).Body()).GetProperty("created");

        Assert.Equal(JsonValueKind.Null, created[0].GetProperty("description").ValueKind);
        Assert.StartsWith("Load-test the pricing service at a 0% cache hit ratio\n- measure", created[3].Str("description"), StringComparison.Ordinal);
        Assert.Empty(created[0].GetProperty("labels").EnumerateArray());
        Assert.Equal([PostmortemImporter.CheckedLabel], created[4].GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task the_owner_and_priority_given_apply_to_every_item_and_set_its_due_date()
    {
        var response = await _cast.Importer.Import("pm-owner-priority", Samples.Read("timeline-and-analysis.txt"),
            title: "Queue backlog in the notification service", owner: "bob", priority: "high", incidentAt: "2026-08-12");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        foreach (var item in (await response.Body()).GetProperty("created").EnumerateArray())
        {
            Assert.Equal(("bob", "high"), (item.Str("owner"), item.Str("priority")));
            Assert.Equal(DateTimeOffset.Parse(item.Str("createdAt")).AddDays(30), DateTimeOffset.Parse(item.Str("dueAt")));
        }
    }

    [Fact]
    public async Task re_importing_the_same_document_answers_201_and_creates_nothing()
    {
        var text = Samples.Read("markdown-numbered-action-items.md");
        await _cast.Alice.Import("pm-reimport", text);
        var events = await api.EventCount();

        var again = await _cast.Bob.Import("pm-reimport", text);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var body = await again.Body();
        Assert.Empty(body.GetProperty("created").EnumerateArray());
        Assert.Equal(
            [PostmortemImporter.AlreadyImported, PostmortemImporter.AlreadyImported, PostmortemImporter.AlreadyImported,
             PostmortemImporter.AlreadyImported, PostmortemImporter.AlreadyImported, PostmortemParser.TooShort, PostmortemParser.Duplicate],
            body.GetProperty("skipped").Reasons());
        Assert.Equal(events, await api.EventCount());
        Assert.Equal(5L, await ItemsOf("pm-reimport"));
    }

    [Fact]
    public async Task re_importing_an_edited_document_adds_only_the_new_action()
    {
        var text = Samples.Read("markdown-numbered-action-items.md");
        await _cast.Alice.Import("pm-edited", text);
        var events = await api.EventCount();
        // New markup on an old action does not make it new; a new entry does.
        var edited = text
            .Replace("1. Validate cache TTL values", "1. **Validate** cache TTL values", StringComparison.Ordinal)
            .Replace("\n\n## Lessons Learned", "\n8. Show the pricing cache dashboards on the team's wall screen\n\n## Lessons Learned", StringComparison.Ordinal);

        var response = await _cast.Alice.Import("pm-edited", edited);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Body();
        Assert.Equal(["Show the pricing cache dashboards on the team's wall screen"], body.GetProperty("created").Titles());
        Assert.Equal(5, body.GetProperty("skipped").Reasons().Count(r => r == PostmortemImporter.AlreadyImported));
        Assert.Equal(events + 1, await api.EventCount());
        Assert.Equal(6L, await ItemsOf("pm-edited"));
    }

    [Fact]
    public async Task an_action_section_with_nothing_to_import_is_recorded_once_by_a_lead_and_refused_to_a_member()
    {
        const string text = "## Summary\n\nA short blip.\n\n## Action items\n\n- None\n- N/A\n";

        // A member's import of nothing claims no ref (OwningSharedNames); a lead's records the postmortem.
        var members = await _cast.Alice.Import("pm-nothing-to-do", text, title: "A short blip");
        var first = await _cast.Lena.Import("pm-nothing-to-do", text, title: "A short blip");
        var again = await _cast.Lena.Import("pm-nothing-to-do", text, title: "A short blip");

        await members.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal([PostmortemParser.TooShort, PostmortemParser.TooShort], (await first.Body()).GetProperty("skipped").Reasons());
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("0 of 0 done", (await (await _cast.Alice.GetAsync("/api/postmortems/pm-nothing-to-do")).Body()).GetProperty("progress").Str("text"));
    }

    [Fact]
    public async Task concurrent_imports_of_one_document_create_each_item_once()
    {
        var text = Samples.Read("timeline-and-analysis.txt");
        var events = await api.EventCount();

        // Six importing services: one caller runs only two imports at once (PreviewingHostileDocuments).
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => api.As($"pm-importer-{i}", [], "service").Import("pm-concurrent", text)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var created = new List<string>();
        foreach (var response in responses)
            created.AddRange((await response.Body()).GetProperty("created").Titles());
        Assert.Equal(3, created.Count);
        Assert.Equal(3, created.Distinct().Count());
        Assert.Equal(3L, await ItemsOf("pm-concurrent"));
        Assert.Equal(events + 3, await api.EventCount());
    }

    [Theory]
    [InlineData("corrective-actions-multiline.md", "text/markdown", 4)]
    [InlineData("statuspage-planned-corrective-actions.txt", "text/plain", 4)]
    [InlineData("follow-up-paragraphs.txt", "text/plain; charset=utf-8", 4)]
    public async Task the_document_itself_may_be_the_body_with_the_rest_in_the_query(string sample, string contentType, int actions)
    {
        var reference = "pm-raw-" + Path.GetFileNameWithoutExtension(sample);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/postmortems?ref={reference}&team=platform&title=Raw%20import&owner=bob&priority=low")
        {
            Content = new StringContent(Samples.Read(sample)),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var response = await _cast.Alice.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Body()).GetProperty("created");
        Assert.Equal(actions, created.GetArrayLength());
        Assert.All(created.EnumerateArray(), i => Assert.Equal(("bob", "low", "Raw import"), (i.Str("owner"), i.Str("priority"), i.GetProperty("source").Str("title"))));
    }

    [Fact]
    public async Task a_member_of_another_team_may_not_import_for_it_and_nothing_is_written()
    {
        var text = Samples.Read("remediation-and-next-steps.md");
        var events = await api.EventCount();

        var response = await _cast.Olga.Import("pm-outsider", text);

        await response.AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(events, await api.EventCount());
        await (await _cast.Olga.GetAsync("/api/postmortems/pm-outsider")).AssertProblem(HttpStatusCode.NotFound);

        // Not even a re-import, which would write nothing, is answered to an outsider.
        await _cast.Alice.Import("pm-outsider", text);
        await (await _cast.Olga.Import("pm-outsider", text)).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task services_and_admins_may_import_for_any_team()
    {
        var text = Samples.Read("quoted-and-fenced.md");

        Assert.Equal(HttpStatusCode.Created, (await _cast.Importer.Import("pm-by-service", text, team: "billing")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _cast.Admin.Import("pm-by-admin", text, team: "billing")).StatusCode);
    }

    [Fact]
    public async Task a_document_without_an_action_section_is_a_400_naming_the_headings_looked_for()
    {
        var events = await api.EventCount();

        var response = await _cast.Alice.Import("pm-no-actions", Samples.Read("no-action-section.md"));

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        var detail = problem.Str("detail");
        Assert.Contains("\"Action items\"", detail, StringComparison.Ordinal);
        Assert.Contains("\"Corrective actions\"", detail, StringComparison.Ordinal);
        Assert.Contains("\"Next steps\"", detail, StringComparison.Ordinal);
        Assert.Contains("Headings found: \"Brief outage of the status page\", \"Summary\", \"Timeline\"", detail, StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("text", out _));
        Assert.Equal(events, await api.EventCount());
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from postmortems where ref = 'pm-no-actions'"));
    }

    public static TheoryData<string, string, string> InvalidImports => new()
    {
        { "missing ref", """{"title": "t", "team": "platform", "text": "## Action items\n- Add an alert on lag"}""", "ref" },
        { "ref with spaces", """{"ref": "pm 1", "title": "t", "team": "platform", "text": "## Action items\n- Add an alert on lag"}""", "ref" },
        { "ref too long", $$"""{"ref": "{{new string('p', 101)}}", "title": "t", "team": "platform", "text": "## Action items\n- Add an alert on lag"}""", "ref" },
        { "missing team", """{"ref": "pm-1", "title": "t", "text": "## Action items\n- Add an alert on lag"}""", "team" },
        { "team that is not a slug", """{"ref": "pm-1", "title": "t", "team": "Platform Team", "text": "## Action items\n- Add an alert on lag"}""", "team" },
        { "missing title", """{"ref": "pm-1", "team": "platform", "text": "## Action items\n- Add an alert on lag"}""", "title" },
        { "title too long", $$"""{"ref": "pm-1", "title": "{{new string('t', 201)}}", "team": "platform", "text": "## Action items\n- Add an alert on lag"}""", "title" },
        { "missing text", """{"ref": "pm-1", "title": "t", "team": "platform"}""", "text" },
        { "blank text", """{"ref": "pm-1", "title": "t", "team": "platform", "text": "  \n "}""", "text" },
        { "owner that is no user id", """{"ref": "pm-1", "title": "t", "team": "platform", "owner": "a b", "text": "## Action items\n- Add an alert on lag"}""", "owner" },
        { "unknown priority", """{"ref": "pm-1", "title": "t", "team": "platform", "priority": "urgent", "text": "## Action items\n- Add an alert on lag"}""", "priority" },
        { "incident time that is no time", """{"ref": "pm-1", "title": "t", "team": "platform", "incidentAt": "last week", "text": "## Action items\n- Add an alert on lag"}""", "incidentAt" },
        { "text of the wrong type", """{"ref": "pm-1", "title": "t", "team": "platform", "text": 42}""", "text" },
        { "malformed JSON", """{"ref": "pm-1", "title": """, "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidImports))]
    public async Task an_invalid_import_is_a_400_naming_the_field_and_writes_nothing(string why, string json, string field)
    {
        var events = await api.EventCount();

        var response = await _cast.Alice.PostRaw("/api/postmortems", json);

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: {problem}");
        Assert.Equal(events, await api.EventCount());
    }

    [Fact]
    public async Task a_document_longer_than_an_items_body_limit_is_accepted_here()
    {
        // A long timeline before the actions: far over the 64 KiB every other route accepts.
        var timeline = string.Join("\n", Enumerable.Range(0, 3000).Select(i => $"{i + 1}. 10:{i % 60:00} something else happened on host {i}"));
        var text = $"## Timeline\n\n{timeline}\n\n## Action items\n\n- Alert when the ingest queue backs up for ten minutes\n";
        Assert.True(text.Length > 100 * 1024);

        var response = await _cast.Alice.Import("pm-long", text);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["Alert when the ingest queue backs up for ten minutes"], (await response.Body()).GetProperty("created").Titles());
    }

    [Fact]
    public async Task a_document_of_a_mebibyte_is_taken_a_longer_text_is_a_400_and_a_body_over_two_mebibytes_is_a_413()
    {
        // In lines of 1 KiB: a line has at most PostmortemParser.MaxLineLength characters.
        var builder = new System.Text.StringBuilder("## Action items\n\n- Alert on lag when the ingest queue backs up\n\n");
        while (builder.Length < 1024 * 1024)
            builder.Append('x', Math.Min(1023, 1024 * 1024 - builder.Length - 1)).Append('\n');
        var mebibyte = builder.ToString();
        Assert.Equal(1024 * 1024, mebibyte.Length);
        Assert.Equal(HttpStatusCode.Created, (await _cast.Alice.Import("pm-one-mebibyte", mebibyte)).StatusCode);
        var events = await api.EventCount();
        var longText = "## Action items\n\n- Alert on lag\n\n" + new string('x', 1100 * 1024);
        var hugeText = "## Action items\n\n- Alert on lag\n\n" + new string('x', 2100 * 1024);

        var tooLong = await _cast.Alice.Import("pm-too-long", longText);
        var tooBig = await _cast.Alice.PostRaw("/api/postmortems?ref=pm-too-big&team=platform&title=t", hugeText, "text/markdown");

        var problem = await tooLong.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("text", out _), problem.ToString());
        await tooBig.AssertProblem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(events, await api.EventCount());
    }

    [Fact]
    public async Task another_content_type_is_a_415_naming_the_accepted_ones()
    {
        var response = await _cast.Alice.PostRaw("/api/postmortems?ref=pm-form&team=platform&title=t", "text=hello", "application/x-www-form-urlencoded");

        var problem = await response.AssertProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("text/markdown", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task without_a_token_an_import_is_a_401()
    {
        await (await _cast.Anonymous.Import("pm-anonymous", Samples.Read("quoted-and-fenced.md"))).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task the_api_description_offers_json_markdown_and_plain_text_bodies()
    {
        var document = await (await _cast.Anonymous.GetAsync("/openapi/v1.json")).Body();

        var content = document.GetProperty("paths").GetProperty("/api/postmortems").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.Equal(["application/json", "text/markdown", "text/plain"], content.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
