using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using Marten;
using Npgsql;

namespace ActionTracker.Api.Events;

/// <summary>Which public events a reader wants: types and teams, each null for all.</summary>
public sealed record EventFilter(IReadOnlySet<string>? Types, IReadOnlySet<string>? Teams);

/// <summary>Reads public events from the event log (never past its high-water mark), for the feed, the stream, webhooks and the broker.</summary>
public sealed class EventFeed(EventLog log, IDocumentStore store, NpgsqlDataSource db)
{
    private const int PagesPerRequest = 10;

    /// <summary>The index behind the team filter's lookups: each item's creation and assignments, however long its stream.</summary>
    public const string TeamChangesIndex = "mt_events_item_team_changes";

    public static string TeamChanging(IDocumentStore store) => EventsTableIndex.TypeIn(store, typeof(ActionItemCreated), typeof(ActionItemAssigned));

    private readonly string _teamChanges =
        $"""
        select stream_id, version, data->>'team' from {log.EventsTable}
         where stream_id = any($1) and {TeamChanging(store)}
         order by stream_id, version
        """;

    /// <summary>
    /// Up to <paramref name="take"/> matching events after <paramref name="from"/>, scanning a
    /// bounded number of pages; the returned position is past everything scanned, matching or not.
    /// </summary>
    public async Task<(List<CloudEvent> Found, LogPosition Next)> Read(LogPosition from, int take, EventFilter filter, CancellationToken ct)
    {
        // A type filter is applied as the log is read (the stored types behind the public ones);
        // a team filter needs each item's history, so it is applied here.
        var stored = filter.Types is null ? null : PublicEvents.SourcesOf(filter.Types).Select(log.NameOf).ToList();
        var found = new List<CloudEvent>();
        var position = from;
        for (var pages = 0; pages < PagesPerRequest && found.Count < take; pages++)
        {
            var page = await log.Read(position, take - found.Count, stored, ct);
            var teams = filter.Teams is null || page.Events.Count == 0 ? null : await TeamChanges(page.Events, ct);
            foreach (var logged in page.Events)
            {
                if (PublicEvents.Map(logged.Data) is not { } mapped)
                    continue;
                if (teams is not null && !InTeams(logged, filter.Teams!, teams))
                    continue;
                found.Add(PublicEvents.Envelope(logged, mapped.Type, mapped.Data));
            }
            position = page.Next;
            if (page.AtMark)
                break;
        }
        return (found, position);
    }

    /// <summary>
    /// Whether the event belongs to one of the teams: the team its item belonged to when it
    /// happened (not its team now, which would hide an item's past from the team it left), and
    /// for a move between teams both the team left and the team joined.
    /// </summary>
    private static bool InTeams(LoggedEvent logged, IReadOnlySet<string> wanted, Dictionary<Guid, List<(long Version, string Team)>> changes)
    {
        if (logged.Data is ActionItemAssigned moved)
            return wanted.Contains(moved.Team) || wanted.Contains(moved.PreviousTeam);
        if (PublicEvents.TeamOf(logged.Data) is { } own)
            return wanted.Contains(own);
        if (!changes.TryGetValue(logged.StreamId, out var history))
            return false;
        string? team = null;
        foreach (var (version, name) in history)
        {
            if (version > logged.Version)
                break;
            team = name;
        }
        return team is not null && wanted.Contains(team);
    }

    /// <summary>
    /// Each item's team changes (creation, assignments), in version order. Only versions up to an
    /// event's own count for it, and those committed before it, so reading them needs no mark.
    /// </summary>
    private async Task<Dictionary<Guid, List<(long Version, string Team)>>> TeamChanges(IReadOnlyList<LoggedEvent> page, CancellationToken ct)
    {
        await using var command = db.CreateCommand(_teamChanges);
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
