using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure.Schema;
using Npgsql;

namespace ActionTracker.Api.Postmortems;

/// <summary>
/// Its own migration module, so its numbering never races the action items' module for a version.
/// The items themselves stay in <c>action_items</c>, linked by their source; this table only knows
/// the postmortem.
/// </summary>
public sealed class PostmortemsSchema : IMigrationSource
{
    public const string Module = "postmortems";

    public IEnumerable<Migration> Migrations { get; } =
    [
        new(Module, 1, "imported postmortems",
            """
            create table postmortems (
                ref text primary key,
                title text not null,
                team text not null,
                incident_at timestamptz,
                imported_at timestamptz not null,
                imported_by text not null,
                -- The last import that added actions.
                updated_at timestamptz not null,
                listed bigint generated always as identity unique);

            create index postmortems_team on postmortems (team, listed);

            -- Which entry of the document each imported item came from: items are shown in the
            -- document's order, which their ids (hashes) and insertion order do not keep.
            create table postmortem_actions (
                item_id uuid primary key,
                ref text not null,
                line int not null,
                fingerprint text not null,
                unique (ref, fingerprint));
            """),
    ];
}

/// <summary>A postmortem as imported, with how far its items have got.</summary>
public sealed record Postmortem(
    string Ref, string Title, string Team, DateTimeOffset? IncidentAt, DateTimeOffset ImportedAt, string ImportedBy,
    DateTimeOffset UpdatedAt, Progress Progress, long Listed);

/// <param name="Done">Items completed.</param>
/// <param name="WontDo">Items closed as not to be done: finished, but not done.</param>
/// <param name="Text">For people: "3 of 5 done".</param>
public sealed record Progress(int Done, int WontDo, int Total, string Text)
{
    public static Progress Of(int done, int wontDo, int total) =>
        new(done, wontDo, total, $"{done} of {total} done" + (wontDo > 0 ? $", {wontDo} won't do" : ""));
}

/// <summary>Reads postmortems and their items (the items of a postmortem are those whose source names it).</summary>
public sealed class PostmortemStore(NpgsqlDataSource db, ActionItems.ActionItemRows rows)
{
    public const string SourceKind = "postmortem";

    private const string Select =
        """
        select p.ref, p.title, p.team, p.incident_at, p.imported_at, p.imported_by, p.updated_at, p.listed,
               c.done, c.wont_do, c.total
          from postmortems p
          cross join lateral (
              select count(*) filter (where a.status = 'Done')::int as done,
                     count(*) filter (where a.status = 'WontDo')::int as wont_do,
                     count(*)::int as total
                from mt_doc_action_item a
               where a.sourceref = p.ref and a.data->'source'->>'kind' = 'postmortem') c
        """;

    /// <summary>The team that first imported the postmortem, or null when none did.</summary>
    public async Task<string?> OwningTeam(string reference, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select team from postmortems where ref = $1");
        command.Parameters.Add(new() { Value = reference });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async Task<Postmortem?> Find(string reference, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"{Select} where p.ref = $1");
        command.Parameters.Add(new() { Value = reference });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Newest import first; <paramref name="before"/> is the <c>listed</c> of the last one seen.</summary>
    public async Task<IReadOnlyList<Postmortem>> List(string? team, long? before, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"{Select} where ($1::text is null or p.team = $1) and ($2::bigint is null or p.listed < $2) order by p.listed desc limit $3");
        command.Parameters.Add(new() { Value = (object?)team ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = limit });
        var page = new List<Postmortem>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            page.Add(Read(reader));
        return page;
    }

    /// <summary>
    /// The items linked to the postmortem: by import, each import's in the document's order; items
    /// linked to it by hand come in by their creation time.
    /// </summary>
    public async Task<IReadOnlyList<(Domain.ActionItems.ActionItem Item, long Version)>> Items(string reference, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"""
            select {ActionItemRows.Columns} from {ActionItemRows.Table} a
             where a.sourceref = $1 and a.data->'source'->>'kind' = 'postmortem'
             order by a.created_at, (select pa.line from postmortem_actions pa where pa.item_id = a.id) nulls last, a.id
            """);
        command.Parameters.Add(new() { Value = reference });
        var items = new List<(Domain.ActionItems.ActionItem, long)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (item, version) = rows.Read(reader);
            items.Add((item, version));
        }
        return items;
    }

    private static Postmortem Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3),
        r.GetFieldValue<DateTimeOffset>(4), r.GetString(5), r.GetFieldValue<DateTimeOffset>(6),
        Progress.Of(r.GetInt32(8), r.GetInt32(9), r.GetInt32(10)), r.GetInt64(7));
}
