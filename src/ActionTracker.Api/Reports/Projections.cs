using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Projections;
using Npgsql;

namespace ActionTracker.Api.Reports;

/// <summary>
/// Every item's overdue standing, per team, owner and escalation level, kept by the daemon from
/// the ladder's events. The report reads it with one indexed query whatever the number of items.
/// </summary>
public sealed class OverdueProjection(EventStoreOptions options) : DocumentProjection<OverdueProjection.Item>(options.Json)
{
    public sealed record Item(string Title, string Team, string Owner, Priority Priority, DateTimeOffset DueAt, bool Open, int Level, DateTimeOffset? OverdueSince);

    public const string TableName = "overdue_items";
    public const string CountsTable = "overdue_counts";

    public override string Name => "overdue";
    public override int Version => 2;
    protected override string Table => TableName;

    protected override string Columns =>
        """
        , team text generated always as (data->>'team') stored
        , due_at timestamptz generated always as (at_timestamptz(data->>'dueAt')) stored
        , overdue boolean generated always as ((data->>'open')::boolean and (data->>'level')::int > 0) stored
        """;

    // The most overdue items of a team, read in order straight from the index.
    protected override string Indexes => "create index on {0} (team, due_at, id) where overdue;";

    /// <summary>Overdue counts per team, owner and level, kept by deltas: the report's totals cost a tiny scan.</summary>
    protected override IReadOnlyList<(string Name, string Ddl)> SummaryTables =>
    [
        (CountsTable, "create {0} (team text not null, owner text not null, level int not null, count int not null, primary key (team, owner, level))"),
    ];

    // Only the events that change the document: comments and work-state changes (most of the
    // traffic) cost the projection nothing.
    protected override Guid? DocumentId(StoredEvent e) => e.Data switch
    {
        ActionItemCreated or ActionItemOverdue or ActionItemEscalated or ActionItemDueDateChanged
            or ActionItemCompleted or ActionItemCancelled or ActionItemReopened or ActionItemAssigned => ((IActionItemEvent)e.Data).ItemId,
        _ => null,
    };

    protected override bool Starts(StoredEvent e) => e.Data is ActionItemCreated;

    private static bool IsOverdue(Item? item) => item is { Open: true, Level: > 0 };

    protected override void Summarize(IReadOnlyList<(Item? Before, Item? After)> changes, NpgsqlBatch batch, Func<string, string> table)
    {
        var deltas = new Dictionary<(string Team, string Owner, int Level), int>();
        foreach (var (before, after) in changes)
        {
            if (IsOverdue(before))
                deltas[(before!.Team, before.Owner, before.Level)] = deltas.GetValueOrDefault((before.Team, before.Owner, before.Level)) - 1;
            if (IsOverdue(after))
                deltas[(after!.Team, after.Owner, after.Level)] = deltas.GetValueOrDefault((after.Team, after.Owner, after.Level)) + 1;
        }
        var moved = deltas.Where(d => d.Value != 0).ToArray();
        if (moved.Length == 0)
            return;
        var counts = table(CountsTable);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            insert into {counts} (team, owner, level, count) select * from unnest($1::text[], $2::text[], $3::int[], $4::int[])
            on conflict (team, owner, level) do update set count = {counts}.count + excluded.count
            """)
        {
            Parameters =
            {
                new() { Value = moved.Select(d => d.Key.Team).ToArray() },
                new() { Value = moved.Select(d => d.Key.Owner).ToArray() },
                new() { Value = moved.Select(d => d.Key.Level).ToArray() },
                new() { Value = moved.Select(d => d.Value).ToArray() },
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"delete from {counts} where count = 0"));
    }

    protected override Item? Apply(Item? item, StoredEvent e) => (item, e.Data) switch
    {
        (_, ActionItemCreated c) => new Item(c.Title, c.Team, c.Owner, c.Priority, c.DueAt, true, 0, null),
        (null, _) => null,
        (_, ActionItemOverdue o) => item with { Level = 1, OverdueSince = o.At },
        (_, ActionItemEscalated x) => item with { Level = x.Level },
        (_, ActionItemDueDateChanged d) => item with { DueAt = d.DueAt, Level = 0, OverdueSince = null },
        (_, ActionItemCompleted or ActionItemCancelled) => item with { Open = false },
        (_, ActionItemReopened) => item with { Open = true },
        (_, ActionItemAssigned a) => item with { Owner = a.Owner, Team = a.Team },
        _ => item,
    };
}

/// <summary>
/// One record per item of what the team metrics count: when it was opened, first overdue,
/// postponed, and closed, and whether it was closed by its due date.
/// </summary>
public sealed class MetricsProjection(EventStoreOptions options) : DocumentProjection<MetricsProjection.Item>(options.Json)
{
    public sealed record Item(
        string Team,
        Priority Priority,
        DateTimeOffset OpenedAt,
        DateTimeOffset DueAt,
        DateTimeOffset? FirstOverdueAt,
        IReadOnlyList<DateTimeOffset> Postponed,
        DateTimeOffset? ClosedAt,
        bool? ClosedOnTime,
        bool Done);

    public const string TableName = "item_metrics";

    public override string Name => "metrics";
    public override int Version => 1;
    protected override string Table => TableName;

    protected override string Columns =>
        """
        , team text generated always as (data->>'team') stored
        , priority text generated always as (data->>'priority') stored
        , opened_at timestamptz generated always as (at_timestamptz(data->>'openedAt')) stored
        , closed_at timestamptz generated always as (at_timestamptz(data->>'closedAt')) stored
        , first_overdue_at timestamptz generated always as (at_timestamptz(data->>'firstOverdueAt')) stored
        """;

    protected override string Indexes => "create index on {0} (team, opened_at);";

    protected override Guid? DocumentId(StoredEvent e) => e.Data switch
    {
        ActionItemCreated or ActionItemOverdue or ActionItemDueDateChanged
            or ActionItemCompleted or ActionItemCancelled or ActionItemReopened or ActionItemAssigned => ((IActionItemEvent)e.Data).ItemId,
        _ => null,
    };

    protected override bool Starts(StoredEvent e) => e.Data is ActionItemCreated;

    protected override Item? Apply(Item? item, StoredEvent e) => (item, e.Data) switch
    {
        (_, ActionItemCreated c) => new Item(c.Team, c.Priority, c.At, c.DueAt, null, [], null, null, false),
        (null, _) => null,
        (_, ActionItemOverdue o) => item.FirstOverdueAt is null ? item with { FirstOverdueAt = o.At } : item,
        (_, ActionItemDueDateChanged d) => d.DueAt > d.PreviousDueAt
            ? item with { DueAt = d.DueAt, Postponed = [.. item.Postponed, d.At] }
            : item with { DueAt = d.DueAt },
        (_, ActionItemCompleted c) => item with { ClosedAt = c.At, ClosedOnTime = c.At <= item.DueAt, Done = true },
        (_, ActionItemCancelled c) => item with { ClosedAt = c.At, ClosedOnTime = null, Done = false },
        (_, ActionItemReopened) => item with { ClosedAt = null, ClosedOnTime = null, Done = false },
        (_, ActionItemAssigned a) => item with { Team = a.Team },
        _ => item,
    };
}
