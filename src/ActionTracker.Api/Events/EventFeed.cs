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
            var teams = filter.Teams is null ? null : await TeamChanges(page, ct);
            foreach (var stored in page)
            {
                if (PublicEvents.Map(stored.Data) is not { } mapped)
                    continue;
                if (filter.Types is not null && !filter.Types.Contains(mapped.Type))
                    continue;
                if (teams is not null && !InTeams(stored, filter.Teams!, teams))
                    continue;
                found.Add(PublicEvents.Envelope(stored, mapped.Type, mapped.Data));
            }
            position = page[^1].Position;
        }
        return (found, position);
    }

    /// <summary>
    /// Whether the event belongs to one of the teams: the team its item belonged to when it
    /// happened (not its team now, which would hide an item's past from the team it left), and
    /// for a move between teams both the team left and the team joined.
    /// </summary>
    private static bool InTeams(StoredEvent stored, IReadOnlySet<string> wanted, Dictionary<Guid, List<(long Version, string Team)>> changes)
    {
        if (stored.Data is ActionTracker.Domain.ActionItems.ActionItemAssigned moved)
            return wanted.Contains(moved.Team) || wanted.Contains(moved.PreviousTeam);
        if (PublicEvents.TeamOf(stored.Data) is { } own)
            return wanted.Contains(own);
        if (!changes.TryGetValue(stored.StreamId, out var history))
            return false;
        string? team = null;
        foreach (var (version, name) in history)
        {
            if (version > stored.Version)
                break;
            team = name;
        }
        return team is not null && wanted.Contains(team);
    }

    /// <summary>Each item's team changes (creation, assignments) up to the page's last event, in version order.</summary>
    private async Task<Dictionary<Guid, List<(long Version, string Team)>>> TeamChanges(IReadOnlyList<StoredEvent> page, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            """
            select stream_id, version, data->>'team' from events
             where stream_id = any($1) and type in ('action_item_created', 'action_item_assigned')
             order by stream_id, version
            """);
        command.Parameters.Add(new() { Value = page.Select(e => e.StreamId).Distinct().ToArray() });
        var changes = new Dictionary<Guid, List<(long, string)>>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var stream = reader.GetGuid(0);
            if (!changes.TryGetValue(stream, out var list))
                changes[stream] = list = [];
            list.Add((reader.GetInt64(1), reader.GetString(2)));
        }
        return changes;
    }
}
