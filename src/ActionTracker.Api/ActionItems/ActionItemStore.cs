using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Schema;
using Npgsql;

namespace ActionTracker.Api.ActionItems;

/// <summary>How an action item stream folds: the domain's pure Evolve.</summary>
public sealed class ActionItemStream : IAggregateDefinition<ActionItem>
{
    public string StreamType => "action_item";

    public ActionItem Evolve(ActionItem? state, object @event) => ActionItem.Evolve(state, (IActionItemEvent)@event);
}

/// <summary>
/// The <c>action_items</c> read model, written inline with the events: reads are one indexed
/// query and always agree with the stream.
/// </summary>
public sealed class ActionItemsProjection : IInlineProjection<ActionItem>
{
    public const string Columns =
        "id, title, description, team, owner, priority, status, due_at, escalation_level, source_kind, source_ref, " +
        "source_title, labels, created_at, updated_at, completed_at, version, owner_postponements, comments, " +
        "reminded_for, last_notified_at";

    /// <summary>The columns to select for <see cref="Read"/>: the projected ones, then the list order.</summary>
    public const string SelectColumns = Columns + ", listed";

    private static readonly string Excluded = string.Join(", ", Columns.Split(", ").Select(c => $"excluded.{c}"));

    public void Project(ProjectionChange<ActionItem> change, ProjectionBatch batch)
    {
        var item = change.State;
        batch.Add(
            $"""
            insert into action_items ({Columns})
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
            on conflict (id) do update set ({Columns}) = ({Excluded})
            """,
            item.Id, item.Title, item.Description, item.Team, item.Owner, item.Priority.Name(), item.Status.Name(),
            item.DueAt, item.EscalationLevel, item.Source?.Kind, item.Source?.Ref, item.Source?.Title,
            item.Labels.ToArray(), item.CreatedAt, item.UpdatedAt, item.CompletedAt, change.Version,
            item.OwnerPostponements, item.Comments, item.RemindedFor, item.LastNotifiedAt);
    }

    /// <summary>Reads a row selected with <see cref="Columns"/> back into the domain state.</summary>
    public static (ActionItem Item, long Version, long Listed) Read(NpgsqlDataReader r)
    {
        Wire.TryParsePriority(r.GetString(5), out var priority);
        Wire.TryParseStatus(r.GetString(6), out var status);
        var item = new ActionItem(
            r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.GetString(4),
            priority, status, r.GetFieldValue<DateTimeOffset>(7),
            r.IsDBNull(9) ? null : new ItemSource(r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11)),
            r.GetFieldValue<string[]>(12), r.GetFieldValue<DateTimeOffset>(13), r.GetFieldValue<DateTimeOffset>(14),
            r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15), r.GetInt32(17), r.GetInt32(8), r.GetInt32(18),
            r.IsDBNull(19) ? null : r.GetFieldValue<DateTimeOffset>(19), r.IsDBNull(20) ? null : r.GetFieldValue<DateTimeOffset>(20));
        return (item, r.GetInt64(16), r.GetInt64(21));
    }
}

/// <summary>
/// Commands read an item's state from its <c>action_items</c> row, which holds every field of
/// <see cref="ActionItem"/> and is written with the events, rather than folding its history.
/// </summary>
public sealed class ActionItemSnapshot : IStateSnapshot<ActionItem>
{
    public string Sql => $"select {ActionItemsProjection.SelectColumns} from action_items where id = $1";

    public (ActionItem State, long Version) Read(NpgsqlDataReader row)
    {
        var (item, version, _) = ActionItemsProjection.Read(row);
        return (item, version);
    }
}

public sealed class ActionTrackerSchema : IMigrationSource
{
    public const string Module = "actiontracker";

    public IEnumerable<Migration> Migrations { get; } =
    [
        new(Module, 1, "action items read model and idempotency keys",
            """
            create table action_items (
                id uuid primary key,
                title text not null,
                description text,
                team text not null,
                owner text not null,
                priority text not null,
                status text not null,
                due_at timestamptz not null,
                escalation_level int not null,
                source_kind text,
                source_ref text,
                source_title text,
                labels text[] not null,
                created_at timestamptz not null,
                updated_at timestamptz not null,
                completed_at timestamptz,
                version bigint not null,
                owner_postponements int not null,
                comments int not null,
                -- Insertion order of the rows: lists page on it, so creation order is exact.
                listed bigint generated always as identity unique);

            create index action_items_team on action_items (team, listed);
            create index action_items_owner on action_items (owner, listed);
            create index action_items_source on action_items (source_ref, listed) where source_ref is not null;
            create index action_items_open_due on action_items (due_at) where status in ('open', 'in_progress', 'blocked');

            -- A retried request with the same key gets the first response back, across restarts.
            create table idempotency_keys (
                caller text not null,
                key text not null,
                fingerprint text not null,
                status int not null,
                location text,
                etag text,
                body jsonb not null,
                created_at timestamptz not null,
                primary key (caller, key));
            """),
        new(Module, 3, "deadline bookkeeping in the read model",
            """
            alter table action_items add column reminded_for timestamptz, add column last_notified_at timestamptz;
            """),
        new(Module, 4, "immutable timestamp parsing for generated columns",
            """
            -- Projections store instants as ISO 8601 with an offset, which parse the same under any
            -- session setting, so declaring the cast immutable is safe and lets generated columns use it.
            create function at_timestamptz(text) returns timestamptz
            language sql immutable parallel safe as $$ select $1::timestamptz $$;
            """),
        new(Module, 5, "idempotency keys expire",
            """
            create index idempotency_keys_created on idempotency_keys (created_at);
            """),
        new(Module, 6, "team changes of items",
            """
            -- The event feed's team filter asks which team an item belonged to when each event
            -- happened: only creations and assignments say, and this keeps finding them cheap
            -- however long the items' streams.
            create index events_item_team_changes on events (stream_id, version)
                where type in ('action_item_created', 'action_item_assigned');
            """),
        new(Module, 7, "due date changes by time",
            """
            -- The weekly digest lists each team's items postponed last week: without this it read
            -- every event of the store once per team.
            create index events_due_date_changes on events (occurred_at)
                where type = 'action_item_due_date_changed';
            """),
    ];
}
