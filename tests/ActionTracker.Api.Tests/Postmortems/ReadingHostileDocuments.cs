using System.Net;
using System.Text;
using ActionTracker.Api.Postmortems;
using ActionTracker.Api.Postmortems.Preview;

namespace ActionTracker.Api.Tests.Postmortems;

/// <summary>
/// Documents shaped to make a backtracking parser take minutes (issue 32.1), at the longest line a
/// document may have: each is read for what it says. How long they take is ops/bench/parser's
/// business (docs/benchmarks.md), never a test's.
/// </summary>
public sealed class ReadingHostileDocuments
{
    private const int Width = PostmortemParser.MaxLineLength - 10;

    private static string Repeat(string unit, int length) => new StringBuilder().Insert(0, unit, length / unit.Length).ToString();

    [Fact]
    public void a_heading_padded_with_spaces_is_a_heading_of_its_words()
    {
        var parsed = PostmortemParser.Parse("## Action items\n\n# x" + new string(' ', Width) + "y\n");

        Assert.Equal([("Action items", SectionKind.Action), ("x y", SectionKind.Other)], parsed.Sections.Select(s => (s.Heading, s.Kind)));
        Assert.Empty(parsed.Actions);
    }

    [Fact]
    public void bold_that_never_closes_stays_as_written_in_the_one_action_it_is()
    {
        var parsed = PostmortemParser.Parse("## Action items\n\n- " + Repeat("**a ", Width) + "\n");

        var action = Assert.Single(parsed.Actions);
        Assert.StartsWith("**a **a **a", action.Title);
        Assert.True(action.Title.Length <= PostmortemParser.MaxTitle);
    }

    [Fact]
    public void bold_and_headings_that_do_close_are_read_as_before()
    {
        var parsed = PostmortemParser.Parse("## Action items ##\n\n- **Rotate** the __signing__ keys every **90 days**\n- Tag the `C#` builds with the **commit**\n");

        Assert.Equal("Action items", Assert.Single(parsed.Sections).Heading);
        Assert.Equal(["Rotate the signing keys every 90 days", "Tag the C# builds with the commit"], parsed.Actions.Select(a => a.Title));
    }

    [Theory]
    [InlineData("*a _a ")]
    [InlineData("[a")]
    [InlineData("![a")]
    [InlineData("<http:a")]
    [InlineData("e.g. A a. B ")]
    public void markup_that_never_closes_is_one_action_of_the_text_as_written(string unit)
    {
        var parsed = PostmortemParser.Parse("## Action items\n\n- " + Repeat(unit, Width) + "\n\n- Rotate the signing keys every quarter\n");

        Assert.Equal(2, parsed.Actions.Count);
        Assert.Equal("Rotate the signing keys every quarter", parsed.Actions[1].Title);
    }

    [Fact]
    public void a_run_of_backticks_is_no_action_and_the_actions_after_it_are_found()
    {
        var parsed = PostmortemParser.Parse("## Action items\n\n- " + new string('`', Width) + "\n\n- Rotate the signing keys every quarter\n");

        Assert.Equal("Rotate the signing keys every quarter", Assert.Single(parsed.Actions).Title);
        Assert.Equal(PostmortemParser.TooShort, Assert.Single(parsed.Skipped).Reason);
    }

    [Fact]
    public void comments_that_never_close_are_text_and_the_actions_after_them_are_found()
    {
        var parsed = PostmortemParser.Parse("## Action items\n\n" + Repeat("<!--", Width) + "\n\n- Rotate the signing keys every quarter\n");

        Assert.Contains("Rotate the signing keys every quarter", parsed.Actions.Select(a => a.Title));
    }

    [Fact]
    public void a_paragraph_of_many_commitments_gives_each_once_on_its_own_line()
    {
        var lines = Enumerable.Range(1, 2000).Select(i => $"We will add alert number {i} to the gateway.").ToList();
        var parsed = PostmortemParser.Parse("# Incident\n\n## What we are changing\n\n" + string.Join("\n", lines) + "\n");

        var candidates = PostmortemPreview.Candidates(parsed);

        Assert.Equal(2000, candidates.Count);
        Assert.Equal(("Add alert number 1 to the gateway", 5), (candidates[0].Text, candidates[0].Line));
        Assert.Equal(("Add alert number 2000 to the gateway", 2004), (candidates[^1].Text, candidates[^1].Line));
    }

    [Fact]
    public void a_parse_whose_request_was_cut_off_stops_instead_of_running_on()
    {
        using var cut = new CancellationTokenSource();
        cut.Cancel();
        var document = "## Action items\n\n" + string.Concat(Enumerable.Repeat("- " + Repeat("**a ", 1000) + "\n", 1000));

        Assert.Throws<OperationCanceledException>(() => PostmortemParser.Parse(document, ct: cut.Token));
    }
}

/// <summary>The same documents through POST /api/postmortems/preview and the import, and what bounds a caller's parsing.</summary>
public sealed class PreviewingHostileDocuments(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private static string Padded(int spaces) => "## Action items\n\n# x" + new string(' ', spaces) + "y\n";

    [Fact]
    public async Task a_padded_heading_and_unclosed_bold_at_the_longest_line_allowed_preview_as_what_they_say()
    {
        var padded = await _cast.Alice.Post("/api/postmortems/preview",
            new { title = "Padded", @ref = "pm-padded", team = "platform", text = Padded(PostmortemParser.MaxLineLength - 10) });
        var bold = await _cast.Alice.Post("/api/postmortems/preview",
            new { title = "Bold", @ref = "pm-bold", team = "platform", text = "## Action items\n\n- " + string.Concat(Enumerable.Repeat("**a ", 4990)) + "\n" });

        Assert.Equal(HttpStatusCode.OK, padded.StatusCode);
        Assert.Equal(["Action items", "x y"], (await padded.Body()).GetProperty("sections").EnumerateArray().Select(s => s.Str("heading")));
        Assert.Equal(HttpStatusCode.OK, bold.StatusCode);
        Assert.StartsWith("**a **a", Assert.Single((await bold.Body()).GetProperty("candidates").EnumerateArray()).Str("text"));
    }

    [Fact]
    public async Task a_line_longer_than_a_document_may_have_is_a_400_naming_it_and_imports_nothing()
    {
        var events = await api.EventCount();
        var text = Padded(200_000);

        var preview = await _cast.Alice.PostRaw("/api/postmortems/preview?ref=pm-long-line&team=platform&title=Long", text, "text/markdown");
        var import = await _cast.Alice.PostRaw("/api/postmortems?ref=pm-long-line&team=platform&title=Long", text, "text/markdown");

        foreach (var response in new[] { preview, import })
        {
            var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
            Assert.Equal($"Line 3 of the document has 200004 characters; a line has at most {PostmortemParser.MaxLineLength}.",
                problem.GetProperty("errors").GetProperty("text")[0].GetString());
        }
        Assert.Equal(events, await api.EventCount());
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from postmortems where ref = 'pm-long-line'"));
    }

    [Fact]
    public async Task a_caller_with_two_documents_being_read_gets_429_for_a_third_while_another_caller_is_served()
    {
        var greedy = api.As("greedy", ["platform"], "member");
        const string url = "/api/postmortems/preview?ref=pm-slow&team=platform&title=Slow";
        // Two uploads that send half their document and wait: each holds one of the caller's slots.
        var uploads = new[] { new HeldDocument(), new HeldDocument() };
        var held = uploads.Select(u => greedy.PostAsync(url, u)).ToList();
        await Task.WhenAll(uploads.Select(u => u.BeingRead));

        var third = await greedy.PostRaw(url, Samples.Read("markdown-numbered-action-items.md"), "text/markdown");
        var other = await _cast.Bob.PostRaw(url, Samples.Read("markdown-numbered-action-items.md"), "text/markdown");
        var thirdImport = await greedy.PostRaw("/api/postmortems?ref=pm-slow&team=platform&title=Slow",
            Samples.Read("markdown-numbered-action-items.md"), "text/markdown");

        var problem = await third.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.Contains("At most 2 postmortem previews or imports", problem.Str("detail"));
        Assert.Equal(TimeSpan.FromSeconds(1), third.Headers.RetryAfter?.Delta);
        await thirdImport.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from postmortems where ref = 'pm-slow'"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        foreach (var upload in uploads)
            upload.Finish();
        Assert.All(await Task.WhenAll(held), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await greedy.PostRaw(url, Samples.Read("markdown-numbered-action-items.md"), "text/markdown")).StatusCode);
    }

    /// <summary>
    /// A markdown document sent in two halves: the first is larger than the test server's request
    /// pipe holds, so its write completes only once the service reads the body; the second waits for <see cref="Finish"/>.
    /// </summary>
    private sealed class HeldDocument : HttpContent
    {
        private static readonly byte[] Half = Encoding.UTF8.GetBytes("## Action items\n\n" + string.Concat(Enumerable.Repeat("- Rotate the signing keys every quarter\n", 12_000)));
        private readonly TaskCompletionSource _read = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldDocument() => Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/markdown");

        public Task BeingRead => _read.Task;

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Half);
            await stream.FlushAsync();
            _read.TrySetResult();
            await _finish.Task;
            await stream.WriteAsync(Encoding.UTF8.GetBytes("- Page the gateway owner when the pool is 90% used\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
