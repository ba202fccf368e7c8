using System.Net;
using System.Text.Json;
using ActionTracker.Api.ActionItems;
using ActionTracker.Domain.ActionItems;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

/// <summary>
/// Commands read an item's state from its document, which Marten writes inline with the events,
/// instead of folding its events; that document must be exactly the fold, whatever happened to the item.
/// </summary>
public sealed class ReadingStateForWrites(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task the_row_commands_read_is_the_fold_of_the_items_events_through_its_whole_life()
    {
        var created = await _cast.Alice.Post("/api/action-items", new
        {
            title = "Pin the Flux version",
            description = "Upgrades happened without review.",
            team = "platform",
            owner = "alice",
            priority = "critical",
            source = new { kind = "postmortem", @ref = "pm-snapshot", title = "Unreviewed upgrade" },
            labels = new[] { "gitops", "deploys" },
        });
        var id = (await created.Body()).GetProperty("id").GetGuid();
        var steps = new List<(HttpClient Who, string Path, object Body)>
        {
            (_cast.Alice, "status", new { status = "in_progress" }),
            (_cast.Alice, "comments", new { text = "Drafted the pin." }),
            (_cast.Alice, "status", new { status = "blocked", reason = "Waiting for review." }),
            (_cast.Alice, "status", new { status = "in_progress" }),
            (_cast.Alice, "due-date", new { dueAt = api.Clock.GetUtcNow().AddDays(10), reason = "Review is slow." }),
            (_cast.Alice, "assignment", new { owner = "bob" }),
        };
        foreach (var (who, path, body) in steps)
        {
            Assert.True((await who.Post($"/api/action-items/{id}/{path}", body)).IsSuccessStatusCode, path);
            await AssertRowIsTheFold(id);
        }
        // The deadline ladder: reminded, overdue, escalated (scheduled steps write those events).
        foreach (var days in new[] { 9, 2, 4, 8 })
        {
            api.Clock.Advance(TimeSpan.FromDays(days));
            await api.Services.RunDue();
            await AssertRowIsTheFold(id);
        }
        Assert.Equal(HttpStatusCode.OK, (await _cast.Bob.Post($"/api/action-items/{id}/status", new { status = "done", resolution = "Pinned." })).StatusCode);
        await AssertRowIsTheFold(id);
        Assert.Equal(HttpStatusCode.OK, (await _cast.Lena.Post($"/api/action-items/{id}/status", new { status = "open", reason = "It came back." })).StatusCode);
        await AssertRowIsTheFold(id);

        var history = await (await _cast.Alice.GetAsync($"/api/action-items/{id}/history")).Body();
        var types = history.GetProperty("events").EnumerateArray().Select(e => e.Str("type")).ToList();
        Assert.Contains("action_item_overdue", types);
        Assert.Contains("action_item_escalated", types);
    }

    private async Task AssertRowIsTheFold(Guid id)
    {
        await using var session = api.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        var folded = events.Aggregate((ActionItem?)null, (state, e) => ActionItem.Evolve(state, (IActionItemEvent)e.Data))!;

        await using var read = api.Database.DataSource.CreateCommand($"select {ActionItemRows.Columns} from {ActionItemRows.Table} where id = $1");
        read.Parameters.Add(new() { Value = id });
        await using var row = await read.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        var (state, version) = api.Services.GetRequiredService<ActionItemRows>().Read(row);

        Assert.Equal(events[^1].Version, version);
        Assert.Equal(JsonSerializer.Serialize(folded), JsonSerializer.Serialize(state));
    }
}
