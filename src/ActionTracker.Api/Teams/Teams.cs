using ActionTracker.Domain;
using ActionTracker.Api.Events;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using ActionTracker.Api.Infrastructure.Schema;
using Marten;
using Npgsql;

namespace ActionTracker.Api.Teams;

/// <summary>A team as the directory knows it: who leads it, who is escalated to, where to notify.</summary>
public sealed record Team(
    string Slug,
    string? Name,
    IReadOnlyList<string> Leads,
    string? EscalationContact,
    string? NotifyUrl,
    string TimeZone,
    DateTimeOffset UpdatedAt,
    long Version,
    DateTimeOffset? CreatedAt = null)
{
    /// <summary>A team that items name but nobody registered: UTC, no leads, no notifications.</summary>
    public static Team Unregistered(string slug, DateTimeOffset firstSeen) =>
        new(slug, null, [], null, null, "UTC", firstSeen, 0, firstSeen);
}

public sealed class TeamsSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new(Infrastructure.ActionTrackerSchema.Module, 2, "teams directory",
            """
            create table teams (
                slug text primary key,
                name text,
                leads text[] not null,
                escalation_contact text,
                notify_url text,
                time_zone text not null,
                updated_at timestamptz not null,
                version bigint not null);
            """),
        new(Infrastructure.ActionTrackerSchema.Module, 8, "when teams were registered",
            """
            -- Null for teams registered before this column: they count as always known.
            alter table teams add column created_at timestamptz;
            """),
        new(Infrastructure.ActionTrackerSchema.Module, 10, "team history",
            """
            -- Every version of every team, with who made it and when (GET /api/teams/{team}/history).
            create table team_history (
                team text not null,
                version bigint not null,
                actor text not null,
                at timestamptz not null,
                name text,
                leads text[] not null,
                escalation_contact text,
                notify_url text,
                time_zone text not null,
                primary key (team, version));
            """),
        new(Infrastructure.ActionTrackerSchema.Module, 9, "team notification secrets",
            """
            -- The key team notifications are signed with; set with the first notify URL, shown once.
            alter table teams add column notify_secret text;
            """),
    ];
}

/// <summary>Reads and writes the teams directory.</summary>
public sealed class TeamDirectory(NpgsqlDataSource db, IDocumentStore store, EventLog log)
{
    /// <summary>The index behind <see cref="WithItemsOrRegistered"/>: when a team was first named.</summary>
    public const string FirstSeenIndex = "mt_events_team_first_seen";

    /// <summary>The events that name an item's team: its creation and its assignments.</summary>
    public static string Named(IDocumentStore store) => EventsTableIndex.TypeIn(store, typeof(ActionItemCreated), typeof(ActionItemAssigned));

    private readonly string _firstSeen = $"(select min(e.timestamp) from {log.EventsTable} e where {Named(store)} and e.data->>'team' = seen.team)";

    private const string Columns = "slug, name, leads, escalation_contact, notify_url, time_zone, updated_at, version, created_at";

    public async Task<Team?> Find(string slug, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select {Columns} from teams where slug = $1");
        command.Parameters.Add(new() { Value = slug });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>
    /// The caller, knowing the leads lists of those of <paramref name="teams"/> that are
    /// registered with leads: those lists, not the caller's lead role, decide who leads them. A
    /// registered team without leads is led as before registration (otherwise registering a team
    /// without naming its leads would leave it to admins alone).
    /// </summary>
    public async Task<Caller> WithListedLeads(Caller caller, string team, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // Every write asks this. As `slug = any($1)` over an array PostgreSQL planned it afresh
        // each time (a generic plan costed for an array of any length never won: 48 of its 52 µs
        // per write, docs/benchmarks.md). One team, prepared once per pooled connection (Npgsql
        // keeps it prepared across rentals), is planned once.
        await using var command = new NpgsqlCommand("select slug, leads from teams where slug = $1 and cardinality(leads) > 0", connection);
        command.Parameters.Add(new() { Value = team });
        await command.PrepareAsync(ct);
        var registered = new List<(string, IReadOnlyCollection<string>)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            registered.Add((reader.GetString(0), reader.GetFieldValue<string[]>(1)));
        return registered.Count == 0 ? caller : caller.WithListedLeads(registered);
    }

    public async Task<IReadOnlyList<Team>> All(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select {Columns} from teams order by slug");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var teams = new List<Team>();
        while (await reader.ReadAsync(ct))
            teams.Add(Read(reader));
        return teams;
    }

    /// <summary>
    /// Creates or replaces the team; returns it, whether it was new, and the notification secret
    /// when this save issued one (the first notify URL): it is shown to the caller that once.
    /// </summary>
    /// <param name="expectedVersion">The version the caller read (If-Match): a team changed since is a 412.</param>
    public async Task<(Team Team, bool Created, string? NewSecret)> Save(Team team, string actor, long? expectedVersion, CancellationToken ct)
    {
        var candidate = Events.WebhookSignature.NewSecret();
        await using var command = db.CreateCommand(
            $"""
            with saved as (
                insert into teams ({Columns}, notify_secret) values ($1, $2, $3, $4, $5, $6, $7, 1, $7, case when $5::text is null then null else $8 end)
                on conflict (slug) do update set name = excluded.name, leads = excluded.leads,
                    escalation_contact = excluded.escalation_contact, notify_url = excluded.notify_url,
                    time_zone = excluded.time_zone, updated_at = excluded.updated_at, version = teams.version + 1,
                    notify_secret = case when excluded.notify_url is null then null else coalesce(teams.notify_secret, excluded.notify_secret) end
                 where $10::bigint is null or teams.version = $10
                returning {Columns}, notify_secret),
            logged as (
                insert into team_history (team, version, actor, at, name, leads, escalation_contact, notify_url, time_zone)
                select slug, version, $9, updated_at, name, leads, escalation_contact, notify_url, time_zone from saved)
            select {Columns}, notify_secret from saved
            """);
        foreach (var value in new object?[] { team.Slug, team.Name, team.Leads.ToArray(), team.EscalationContact, team.NotifyUrl, team.TimeZone, team.UpdatedAt, candidate, actor })
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)expectedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new VersionMismatch(expectedVersion!.Value, (await Find(team.Slug, ct))?.Version ?? 0);
        var saved = Read(reader);
        var secret = reader.IsDBNull(9) ? null : reader.GetString(9);
        if (expectedVersion is { } expected && saved.Version == 1 && expected != 0)
            throw new VersionMismatch(expected, 0); // If-Match of a version the team never had
        return (saved, saved.Version == 1, secret == candidate ? secret : null);
    }

    public sealed record TeamChange(long Version, string Actor, DateTimeOffset At, IReadOnlyList<string> Fields, TeamSnapshot Team);

    public sealed record TeamSnapshot(string? Name, IReadOnlyList<string> Leads, string? EscalationContact, string? NotifyUrl, string TimeZone);

    /// <summary>Every version of the team, oldest first, with who made it, when, and which fields it changed.</summary>
    public async Task<IReadOnlyList<TeamChange>> History(string slug, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            "select version, actor, at, name, leads, escalation_contact, notify_url, time_zone from team_history where team = $1 order by version");
        command.Parameters.Add(new() { Value = slug });
        var changes = new List<TeamChange>();
        TeamSnapshot? previous = null;
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var snapshot = new TeamSnapshot(r.IsDBNull(3) ? null : r.GetString(3), r.GetFieldValue<string[]>(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7));
            var fields = new List<string>();
            if (previous is null || previous.Name != snapshot.Name) fields.Add("name");
            if (previous is null || !previous.Leads.SequenceEqual(snapshot.Leads)) fields.Add("leads");
            if (previous is null || previous.EscalationContact != snapshot.EscalationContact) fields.Add("escalationContact");
            if (previous is null || previous.NotifyUrl != snapshot.NotifyUrl) fields.Add("notifyUrl");
            if (previous is null || previous.TimeZone != snapshot.TimeZone) fields.Add("timeZone");
            changes.Add(new TeamChange(r.GetInt64(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), fields, snapshot));
            previous = snapshot;
        }
        return changes;
    }

    /// <summary>A new notification secret for a team with a notify URL; null when the team has none.</summary>
    public async Task<string?> RotateSecret(string slug, CancellationToken ct)
    {
        var secret = Events.WebhookSignature.NewSecret();
        await using var command = db.CreateCommand("update teams set notify_secret = $2 where slug = $1 and notify_url is not null");
        command.Parameters.Add(new() { Value = slug });
        command.Parameters.Add(new() { Value = secret });
        return await command.ExecuteNonQueryAsync(ct) == 1 ? secret : null;
    }

    /// <summary>The key the team's notifications are signed with (null without a notify URL).</summary>
    public async Task<string?> Secret(string slug, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select notify_secret from teams where slug = $1");
        command.Parameters.Add(new() { Value = slug });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static Team Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetFieldValue<string[]>(2),
        r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5),
        r.GetFieldValue<DateTimeOffset>(6), r.GetInt64(7),
        r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8));

    /// <summary>
    /// Every team a digest is for: the registered ones, and those that only items name (found by
    /// walking the team index one distinct value at a time, not by reading every item).
    /// </summary>
    public async Task<IReadOnlyList<Team>> WithItemsOrRegistered(CancellationToken ct)
    {
        var all = (await All(ct)).ToList();
        await using var command = db.CreateCommand(
            $"""
            with recursive seen as (
                (select team from mt_doc_action_item order by team limit 1)
                union all
                select (select a.team from mt_doc_action_item a where a.team > seen.team order by a.team limit 1)
                  from seen where seen.team is not null)
            select seen.team,
                   -- First seen: the first item created in the team or moved into it.
                   {_firstSeen}
              from seen
             where seen.team is not null and not exists (select 1 from teams t where t.slug = seen.team)
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            all.Add(Team.Unregistered(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
        return all.OrderBy(t => t.Slug, StringComparer.Ordinal).ToList();
    }
}
