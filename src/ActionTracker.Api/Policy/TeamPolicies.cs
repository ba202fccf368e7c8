using ActionTracker.Api.ActionItems.Reminders;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using Marten;
using Wolverine;
using ActionTracker.Api.ActionItems;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActionTracker.Api.Policy;

/// <summary>
/// Each team's policy, on Marten (<see cref="TeamPolicyRecord"/>, with every version as a
/// <see cref="TeamPolicyChange"/>), and the rules a decision on a team's items goes by, read on
/// each decision so that every replica applies a change at once.
/// </summary>
public sealed class TeamPolicies(
    NpgsqlDataSource db, IDocumentStore store, OutboxSessions outbox, IOptions<PolicyOptions> organisation,
    DueDatePolicy dueDates, EscalationPolicy ladder)
{
    public const string RecordAlias = "team_policy";
    public const string ChangeAlias = "team_policy_change";

    // Marten names a document table mt_doc_ and its alias, in the store's schema.
    private readonly string _records = $"{store.Options.DatabaseSchemaName}.mt_doc_{RecordAlias}";

    /// <summary>The organisation's policy, which a team with no overrides lives by.</summary>
    public (DueDatePolicy DueDates, EscalationPolicy Ladder) Organisation => (dueDates, ladder);

    /// <summary>
    /// The team's rules in one statement (the directory's row and the policy's document): every
    /// item command and deadline check asks this, so it is one round trip, prepared once per
    /// pooled connection (Npgsql keeps it prepared across rentals).
    /// </summary>
    public async Task<TeamRules> For(string team, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            select t.leads, t.escalation_contact, t.time_zone, p.data
              from (select $1::text as slug) s
              left join teams t on t.slug = s.slug
              left join {_records} p on p.id = s.slug
            """, connection);
        command.Parameters.Add(new() { Value = team });
        await command.PrepareAsync(ct);
        await using var r = await command.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var leads = r.IsDBNull(0) ? [] : r.GetFieldValue<string[]>(0);
        var contact = r.IsDBNull(1) ? null : r.GetString(1);
        var zone = Teams.TeamTime.Zone(r.IsDBNull(2) ? null : r.GetString(2));
        var record = r.IsDBNull(3) ? null : store.Options.Serializer().FromJson<TeamPolicyRecord>(r.GetStream(3));
        return Rules(team, leads, contact, zone, record);
    }

    public TeamRules Rules(string team, IReadOnlyList<string> leads, string? contact, TimeZoneInfo zone, TeamPolicyRecord? record)
    {
        var overrides = record?.Overrides ?? PolicyOverrides.None;
        return new TeamRules(team, leads, overrides.Over(dueDates), overrides.Over(ladder, zone),
            new Audience(leads, contact, organisation.Value.Admins), overrides, record?.Version ?? 0);
    }

    public async Task<TeamPolicyRecord?> Find(string team, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<TeamPolicyRecord>(team, ct);
    }

    public async Task<IReadOnlyList<TeamPolicyChange>> History(string team, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<TeamPolicyChange>().Where(c => c.Team == team).OrderBy(c => c.Version).ToListAsync(ct);
    }

    /// <summary>
    /// Saves the team's new overrides as its next version, with the history entry, and re-checks
    /// the deadlines of its open items in the same transaction: a changed ladder applies to each
    /// from its next step on (a check the item no longer expects does nothing, so the checks
    /// scheduled under the old policy fall away by themselves).
    /// </summary>
    /// <param name="expectedVersion">The version the caller read (If-Match); null for whatever is current now.</param>
    public async Task<TeamPolicyRecord> Save(
        TeamRules current, PolicyOverrides overrides, string actor, long? expectedVersion, DateTimeOffset now, CancellationToken ct)
    {
        var team = current.Team;
        if (expectedVersion is { } expected && expected != current.PolicyVersion)
            throw new VersionMismatch(expected, current.PolicyVersion);
        var version = current.PolicyVersion + 1;
        var record = new TeamPolicyRecord(team, version, overrides, actor, now);
        await using var opened = outbox.Open(new EventMetadata(actor));
        var session = opened.Session;
        session.Store(record);
        session.Insert(new TeamPolicyChange(TeamPolicyChange.IdOf(team, version), team, version, actor, now,
            PolicyOverrides.Changed(current.Overrides, overrides), overrides));

        var after = current with { Overrides = overrides, Ladder = overrides.Over(ladder, current.Ladder.TimeZone), DueDates = overrides.Over(dueDates) };
        foreach (var item in await session.Query<ActionItem>().Where(i => i.Team == team && i.CompletedAt == null).ToListAsync(ct))
            if (Deadlines.NextCheck(item, after.Ladder) is { } next && next != Deadlines.NextCheck(item, current.Ladder))
                await opened.Bus.ScheduleAsync(new CheckItemDeadlines(item.Id, next), next);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            // Another change took this version first.
            throw new VersionMismatch(expectedVersion ?? current.PolicyVersion, version);
        }
        return record;
    }
}
