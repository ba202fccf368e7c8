using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Projections;

namespace ActionTracker.Api.Reports;

/// <summary>
/// Every item's overdue standing, per team, owner and escalation level, kept by the daemon from
/// the ladder's events. The report reads it with one indexed query whatever the number of items.
/// </summary>
public sealed class OverdueProjection(EventStoreOptions options) : DocumentProjection<OverdueProjection.Item>(options.Json)
{
    public sealed record Item(string Title, string Team, string Owner, Priority Priority, DateTimeOffset DueAt, bool Open, int Level, DateTimeOffset? OverdueSince);

    public const string TableName = "overdue_items";

    public override string Name => "overdue";
    public override int Version => 1;
    protected override string Table => TableName;

    protected override string Columns =>
        """
        , team text generated always as (data->>'team') stored
        , owner text generated always as (data->>'owner') stored
        , level int generated always as ((data->>'level')::int) stored
        , overdue boolean generated always as ((data->>'open')::boolean and (data->>'level')::int > 0) stored
        """;

    protected override string Indexes => "create index on {0} (team, level) where overdue;";

    protected override Guid? DocumentId(StoredEvent e) => e.Data is IActionItemEvent a ? a.ItemId : null;

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

    protected override Guid? DocumentId(StoredEvent e) => e.Data is IActionItemEvent a ? a.ItemId : null;

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
