using System.Net;

namespace ActionTracker.Api.Tests.Postmortems;

/// <summary>GET /api/postmortems/{ref} and GET /api/postmortems: what was imported and how far it has got.</summary>
public sealed class ReadingPostmortems(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task a_postmortem_shows_its_items_and_progress_as_they_are_completed()
    {
        var imported = await _cast.Alice.Import("pm-progress", Samples.Read("markdown-numbered-action-items.md"), incidentAt: "2026-03-04T09:12:00Z");
        var ids = (await imported.Body()).GetProperty("created").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToArray();
        await _cast.Alice.Post($"/api/action-items/{ids[0]}/status", new { status = "done", resolution = "Range check in the config linter." });
        await _cast.Alice.Post($"/api/action-items/{ids[4]}/status", new { status = "done" });
        await _cast.Alice.Post($"/api/action-items/{ids[1]}/status", new { status = "in_progress" });
        await _cast.Lena.Post($"/api/action-items/{ids[2]}/status", new { status = "wont_do", reason = "Covered by the new hit-ratio SLO." });

        var response = await _cast.Olga.GetAsync("/api/postmortems/pm-progress");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var postmortem = await response.Body();
        Assert.Equal(("pm-progress", PostmortemHttp.CheckoutTitle, "platform", "alice"),
            (postmortem.Str("ref"), postmortem.Str("title"), postmortem.Str("team"), postmortem.Str("importedBy")));
        Assert.Equal("2026-03-04T09:12:00Z", postmortem.Str("incidentAt"));
        Assert.Equal(PostmortemHttp.CheckoutActions, postmortem.GetProperty("items").Titles());
        Assert.Equal(["done", "in_progress", "wont_do", "open", "done"],
            postmortem.GetProperty("items").EnumerateArray().Select(i => i.Str("status")));
        var progress = postmortem.GetProperty("progress");
        Assert.Equal((2, 1, 5), (progress.GetProperty("done").GetInt32(), progress.GetProperty("wontDo").GetInt32(), progress.GetProperty("total").GetInt32()));
        Assert.Equal("2 of 5 done, 1 won't do", progress.Str("text"));
    }

    [Fact]
    public async Task progress_reads_n_of_m_done()
    {
        var imported = await _cast.Alice.Import("pm-three-of-five", Samples.Read("markdown-numbered-action-items.md"));
        var ids = (await imported.Body()).GetProperty("created").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToArray();
        foreach (var id in ids.Take(3))
            await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done" });

        var postmortem = await (await _cast.Bob.GetAsync("/api/postmortems/pm-three-of-five")).Body();

        Assert.Equal("3 of 5 done", postmortem.GetProperty("progress").Str("text"));
    }

    [Fact]
    public async Task an_unknown_postmortem_is_a_404()
    {
        await (await _cast.Alice.GetAsync("/api/postmortems/pm-never-imported")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task the_list_shows_newest_imports_first_with_progress_a_page_at_a_time()
    {
        var text = Samples.Read("quoted-and-fenced.md");
        foreach (var reference in new[] { "pm-list-1", "pm-list-2", "pm-list-3" })
            Assert.Equal(HttpStatusCode.Created, (await _cast.Admin.Import(reference, text, team: "listing", title: $"Review {reference}")).StatusCode);
        await _cast.Admin.Import("pm-list-other", text, team: "listing-other");
        var first = (await (await _cast.Admin.GetAsync("/api/postmortems/pm-list-2")).Body()).GetProperty("items")[0].GetProperty("id").GetGuid();
        await _cast.Admin.Post($"/api/action-items/{first}/status", new { status = "done" });

        var page1 = await (await _cast.Bob.GetAsync("/api/postmortems?team=listing&limit=2")).Body();
        var page2 = await (await _cast.Bob.GetAsync($"/api/postmortems?team=listing&limit=2&cursor={page1.Str("nextCursor")}")).Body();

        Assert.Equal(["pm-list-3", "pm-list-2"], page1.GetProperty("postmortems").EnumerateArray().Select(p => p.Str("ref")));
        Assert.Equal(["pm-list-1"], page2.GetProperty("postmortems").EnumerateArray().Select(p => p.Str("ref")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page2.GetProperty("nextCursor").ValueKind);
        Assert.Equal("1 of 2 done", page1.GetProperty("postmortems")[1].GetProperty("progress").Str("text"));
        Assert.Equal("0 of 2 done", page1.GetProperty("postmortems")[0].GetProperty("progress").Str("text"));
        Assert.Equal("Review pm-list-3", page1.GetProperty("postmortems")[0].Str("title"));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=abc", "cursor")]
    public async Task a_bad_page_request_is_a_400_naming_the_field(string query, string field)
    {
        var problem = await (await _cast.Alice.GetAsync($"/api/postmortems?{query}")).AssertProblem(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
