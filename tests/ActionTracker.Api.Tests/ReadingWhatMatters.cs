using System.Net;

namespace ActionTracker.Api.Tests;

/// <summary>The item says why it is blocked, how it was resolved or why it won't be done, without the history; comments read on their own.</summary>
public sealed class ReadingWhatMatters(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task the_item_shows_its_blocked_reason_resolution_comment_count_and_last_activity()
    {
        var id = await _cast.Alice.CreateItem();
        await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "blocked", reason = "Waiting for the vendor's fix." });
        var blocked = await _cast.Alice.Item(id);
        Assert.Equal("Waiting for the vendor's fix.", blocked.Str("blockedReason"));

        api.Clock.Advance(TimeSpan.FromHours(1));
        await _cast.Bob.Post($"/api/action-items/{id}/comments", new { text = "The vendor shipped it." });
        await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Pinned to the fixed release." });
        var done = await _cast.Alice.Item(id);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, done.GetProperty("blockedReason").ValueKind);
        Assert.Equal("Pinned to the fixed release.", done.Str("resolution"));
        Assert.Equal(1, done.GetProperty("commentCount").GetInt32());
        Assert.Equal(api.Clock.GetUtcNow(), done.GetProperty("lastActivityAt").GetDateTimeOffset());

        var dropped = await _cast.Alice.CreateItem();
        Assert.Equal(HttpStatusCode.OK, (await _cast.Lena.Post($"/api/action-items/{dropped}/status", new { status = "wont_do", reason = "Superseded by the managed service." })).StatusCode);
        Assert.Equal("Superseded by the managed service.", (await _cast.Alice.Item(dropped)).Str("wontDoReason"));
    }

    [Fact]
    public async Task comments_are_listed_in_pages_and_a_new_comments_location_answers_with_it()
    {
        var id = await _cast.Alice.CreateItem();
        var locations = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await _cast.Bob.Post($"/api/action-items/{id}/comments", new { text = $"Note {i}" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            locations.Add(created.Headers.Location!.OriginalString);
        }
        await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "in_progress" });

        var first = await (await _cast.Alice.GetAsync($"/api/action-items/{id}/comments?limit=2")).Body();
        var second = await (await _cast.Alice.GetAsync($"/api/action-items/{id}/comments?limit=2&cursor={first.Str("nextCursor")}")).Body();
        var one = await (await _cast.Alice.GetAsync(locations[2])).Body();

        Assert.Equal(["Note 0", "Note 1"], first.GetProperty("comments").EnumerateArray().Select(c => c.Str("text")));
        Assert.Equal(["Note 2"], second.GetProperty("comments").EnumerateArray().Select(c => c.Str("text")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.Equal(("Note 2", "bob"), (one.Str("text"), one.Str("author")));
        Assert.StartsWith($"/api/action-items/{id}/comments/", locations[0]);
        await (await _cast.Alice.GetAsync($"/api/action-items/{Guid.NewGuid()}/comments")).AssertProblem(HttpStatusCode.NotFound);
    }
}
