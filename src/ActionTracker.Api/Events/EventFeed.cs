using ActionTracker.EventStore;
using Npgsql;

namespace ActionTracker.Api.Events;

/// <summary>Which public events a reader wants: types and teams, each null for all.</summary>
public sealed record EventFilter(IReadOnlySet<string>? Types, IReadOnlySet<string>? Teams);

/// <summary>Reads public events over the store's horizon, for the feed, the stream and webhooks.</summary>
public sealed class EventFeed(EventStore.EventStore store, NpgsqlDataSource db)
{
    private const int PagesPerRequest = 10;

    /// <summary>
    /// Up to <paramref name="take"/> matching events after <paramref name="from"/>, scanning a
    /// bounded number of pages; the returned position is past everything scanned, matching or not.
    /// </summary>
    public async Task<(List<CloudEvent> Found, Position Next)> Read(Position from, int take, EventFilter filter, CancellationToken ct)
    {
        var found = new List<CloudEvent>();
        var position = from;
        for (var pages = 0; pages < PagesPerRequest && found.Count < take; pages++)
        {
            var page = await store.ReadAll(position, take - found.Count, ct);
            if (page.Count == 0)
                break;
            var teams = filter.Teams is null ? null : await Teams(page, ct);
            foreach (var stored in page)
            {
                if (PublicEvents.Map(stored.Data) is not { } mapped)
                    continue;
                if (filter.Types is not null && !filter.Types.Contains(mapped.Type))
                    continue;
                if (teams is not null && !filter.Teams!.Contains(PublicEvents.TeamOf(stored.Data) ?? teams.GetValueOrDefault(stored.StreamId) ?? ""))
                    continue;
                found.Add(PublicEvents.Envelope(stored, mapped.Type, mapped.Data));
            }
            position = page[^1].Position;
        }
        return (found, position);
    }

    /// <summary>The current team of each item in the page (events other than creation and assignment do not carry it).</summary>
    private async Task<Dictionary<Guid, string>> Teams(IReadOnlyList<StoredEvent> page, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select id, team from action_items where id = any($1)");
        command.Parameters.Add(new() { Value = page.Select(e => e.StreamId).Distinct().ToArray() });
        var teams = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            teams[reader.GetGuid(0)] = reader.GetString(1);
        return teams;
    }
}
