using System.Net;

namespace ActionTracker.Api.Tests;

public sealed class NotDroppingNewData(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task a_new_resolution_for_an_item_already_done_is_a_409_saying_what_to_do_and_changes_nothing()
    {
        var id = await _cast.Alice.CreateItem();
        Assert.Equal(HttpStatusCode.OK, (await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Pinned." })).StatusCode);
        var events = await api.EventCount();

        var again = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Pinned and documented." });
        var retry = await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Pinned." });

        Assert.Contains("reopen", (await again.AssertProblem(HttpStatusCode.Conflict)).Str("detail"));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(events, await api.EventCount());
        Assert.Equal("Pinned.", (await _cast.Alice.Item(id)).Str("resolution"));
    }
}
