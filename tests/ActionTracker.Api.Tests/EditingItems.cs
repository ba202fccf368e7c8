using System.Net;
using System.Net.Http.Json;

namespace ActionTracker.Api.Tests;

public sealed class EditingItems(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    private static Task<HttpResponseMessage> Patch(HttpClient client, Guid id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/action-items/{id}") { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task when_the_owner_edits_the_title_and_priority_the_item_and_its_history_say_so_and_the_due_date_stays()
    {
        var id = await _cast.Alice.CreateItem(priority: "high");
        var before = await _cast.Alice.Item(id);

        var response = await Patch(_cast.Alice, id, new { title = "Pin the controller and its CRDs", priority = "critical" }, ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        var item = await response.Body();
        Assert.Equal(("Pin the controller and its CRDs", "critical", before.Str("dueAt")), (item.Str("title"), item.Str("priority"), item.Str("dueAt")));
        var last = (await (await _cast.Alice.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray().Last();
        Assert.Equal("action_item_details_changed", last.Str("type"));
        Assert.Equal(["title", "priority"], last.GetProperty("data").GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task a_stale_if_match_is_412_another_member_is_403_and_neither_writes_anything()
    {
        var id = await _cast.Alice.CreateItem();
        await _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = "First note." });
        var events = await api.EventCount();

        await (await Patch(_cast.Alice, id, new { title = "A title from a stale form" }, ifMatch: "\"1\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        await (await Patch(_cast.Bob, id, new { labels = new[] { "mine" } })).AssertProblem(HttpStatusCode.Forbidden);
        await (await Patch(_cast.Alice, id, new { title = "Ring\u0007" })).AssertProblem(HttpStatusCode.BadRequest);

        Assert.Equal(events, await api.EventCount());
    }

    private static Task<HttpResponseMessage> PatchJson(HttpClient client, Guid id, string json) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/action-items/{id}")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        });

    [Fact]
    public async Task a_null_clears_the_description_and_the_labels_and_a_null_title_or_priority_is_a_400_naming_it()
    {
        var id = await _cast.Alice.CreateItem();
        await Patch(_cast.Alice, id, new { description = "Steps in the runbook.", labels = new[] { "dns" } });
        var events = await api.EventCount();

        var nullTitle = await PatchJson(_cast.Alice, id, """{"title": null, "priority": null, "description": null}""");

        var problem = await nullTitle.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["priority", "title"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal(events, await api.EventCount());

        var cleared = await PatchJson(_cast.Alice, id, """{"description": null, "labels": null}""");

        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        var item = await cleared.Body();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, item.GetProperty("description").ValueKind);
        Assert.Empty(item.GetProperty("labels").EnumerateArray());
        var last = (await (await _cast.Alice.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray().Last();
        Assert.Equal(["description", "labels"], last.GetProperty("data").GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task a_patch_that_changes_nothing_is_200_without_an_event_and_a_lead_may_clear_the_description()
    {
        var id = await _cast.Alice.CreateItem();
        var events = await api.EventCount();
        Assert.Equal(HttpStatusCode.OK, (await Patch(_cast.Alice, id, new { title = "Pin the deployment controller version" })).StatusCode);
        Assert.Equal(events, await api.EventCount());

        await Patch(_cast.Alice, id, new { description = "Steps in the runbook." });
        var cleared = await (await Patch(_cast.Lena, id, new { description = "" })).Body();

        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("description").ValueKind);
    }
}
