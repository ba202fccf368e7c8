using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.ActionItems;
using ActionTracker.Domain.ActionItems;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Schema;

namespace ActionTracker.Api.Reports;

/// <summary>
/// What the team metrics count of one item: when it was opened, first overdue, postponed and
/// closed, and whether it was closed by its due date. <see cref="Priority"/> is the wire name,
/// which the report groups by and answers with as it is.
/// </summary>
public sealed record ItemMetrics(
    Guid Id,
    string Team,
    string Priority,
    DateTimeOffset OpenedAt,
    DateTimeOffset DueAt,
    DateTimeOffset? FirstOverdueAt,
    IReadOnlyList<DateTimeOffset> Postponed,
    DateTimeOffset? ClosedAt,
    bool? ClosedOnTime,
    bool Done);

/// <summary>One <see cref="ItemMetrics"/> per item, kept by Marten's async daemon.</summary>
public sealed class MetricsProjection : SingleStreamProjection<ItemMetrics, Guid>
{
    /// <summary>The daemon's name for it (the admin API and the rebuild command use it).</summary>
    public const string ProjectionName = "metrics";

    /// <summary>The document table (alias item_metrics; a projection Version above 1 would add <c>_N</c>).</summary>
    public const string Table = "mt_doc_item_metrics";

    public MetricsProjection()
    {
        Name = ProjectionName;
        // Only the events that change the document are loaded.
        IncludeType<ActionItemCreated>();
        IncludeType<ActionItemOverdue>();
        IncludeType<ActionItemDueDateChanged>();
        IncludeType<ActionItemCompleted>();
        IncludeType<ActionItemCancelled>();
        IncludeType<ActionItemReopened>();
        IncludeType<ActionItemAssigned>();
    }

    public override ItemMetrics? Evolve(ItemMetrics? snapshot, Guid id, IEvent e) => Apply(snapshot, id, e.Data);

    /// <summary>The document after one event; null while there is none (no creation seen).</summary>
    public static ItemMetrics? Apply(ItemMetrics? item, Guid id, object change) => (item, change) switch
    {
        (_, ActionItemCreated c) => new ItemMetrics(id, c.Team, c.Priority.Name(), c.At, c.DueAt, null, [], null, null, false),
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

    /// <summary>
    /// Table <see cref="Table"/>: the JSON in <c>data</c>, and copies of what the report filters
    /// and groups on in columns <c>team</c>, <c>priority</c>, <c>opened_at</c>, <c>closed_at</c> and
    /// <c>first_overdue_at</c>, with one index on (team, opened_at). Mapped one by one, not with
    /// <c>Duplicate(...)</c>, which would add an index per column that no query reads.
    /// </summary>
    public static void Map(StoreOptions options)
    {
        options.MapDocument<ItemMetrics>("item_metrics", mapping =>
        {
            mapping.Copy<ItemMetrics>(nameof(ItemMetrics.Team), "team", notNull: true);
            mapping.Copy<ItemMetrics>(nameof(ItemMetrics.Priority), "priority", notNull: true);
            mapping.Copy<ItemMetrics>(nameof(ItemMetrics.OpenedAt), "opened_at", notNull: true);
            mapping.Copy<ItemMetrics>(nameof(ItemMetrics.ClosedAt), "closed_at");
            mapping.Copy<ItemMetrics>(nameof(ItemMetrics.FirstOverdueAt), "first_overdue_at");
            mapping.AddIndex("team", "opened_at");
        });
    }
}
