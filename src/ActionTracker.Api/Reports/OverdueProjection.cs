using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Schema;

namespace ActionTracker.Api.Reports;

/// <summary>One item's overdue standing: the overdue report's document.</summary>
public sealed record OverdueStanding(
    Guid Id,
    string Title,
    string Team,
    string Owner,
    Priority Priority,
    DateTimeOffset DueAt,
    bool Open,
    int Level,
    DateTimeOffset? OverdueSince)
{
    /// <summary>Open and on the escalation ladder: what the report lists and counts.</summary>
    public bool Overdue => Open && Level > 0;
}

/// <summary>
/// Every item's overdue standing, per team, owner and escalation level, kept by Marten's async
/// daemon from the ladder's events. The report reads it with one indexed query whatever the
/// number of items.
/// </summary>
public sealed class OverdueProjection : SingleStreamProjection<OverdueStanding, Guid>
{
    /// <summary>The daemon's name for it (the admin API and the rebuild command use it).</summary>
    public const string ProjectionName = "overdue";

    /// <summary>The document table (alias overdue_item; a projection Version above 1 would add <c>_N</c>).</summary>
    public const string Table = "mt_doc_overdue_item";

    public OverdueProjection()
    {
        Name = ProjectionName;
        // Only the events that change the document are loaded: comments and work-state changes
        // (most of the traffic) cost the projection nothing.
        IncludeType<ActionItemCreated>();
        IncludeType<ActionItemOverdue>();
        IncludeType<ActionItemEscalated>();
        IncludeType<ActionItemDueDateChanged>();
        IncludeType<ActionItemCompleted>();
        IncludeType<ActionItemCancelled>();
        IncludeType<ActionItemReopened>();
        IncludeType<ActionItemAssigned>();
        IncludeType<ActionItemDetailsChanged>();
    }

    public override OverdueStanding? Evolve(OverdueStanding? snapshot, Guid id, IEvent e) => Apply(snapshot, id, e.Data);

    /// <summary>The document after one event; null while there is none (no creation seen).</summary>
    public static OverdueStanding? Apply(OverdueStanding? item, Guid id, object change) => (item, change) switch
    {
        (_, ActionItemCreated c) => new OverdueStanding(id, c.Title, c.Team, c.Owner, c.Priority, c.DueAt, true, 0, null),
        (null, _) => null,
        (_, ActionItemOverdue o) => item with { Level = 1, OverdueSince = o.At },
        (_, ActionItemEscalated x) => item with { Level = x.Level },
        (_, ActionItemDueDateChanged d) => item with { DueAt = d.DueAt, Level = 0, OverdueSince = null },
        (_, ActionItemCompleted or ActionItemCancelled) => item with { Open = false },
        (_, ActionItemReopened) => item with { Open = true },
        (_, ActionItemAssigned a) => item with { Owner = a.Owner, Team = a.Team },
        (_, ActionItemDetailsChanged d) => item with
        {
            Title = d.Fields.Contains("title") ? d.Title! : item.Title,
            Priority = d.Fields.Contains("priority") ? d.Priority!.Value : item.Priority,
        },
        _ => item,
    };

    /// <summary>
    /// Table <see cref="Table"/>: the JSON in <c>data</c>, and copies of what the report filters,
    /// sorts and counts on in columns <c>team</c>, <c>owner</c>, <c>level</c>, <c>due_at</c> and
    /// <c>overdue</c>, with one partial index over the overdue items only. The columns are mapped
    /// one by one rather than with <c>Duplicate(...)</c>, which adds an index per column: four
    /// indexes nothing reads, each one more write per document change.
    /// </summary>
    public static void Map(StoreOptions options)
    {
        options.MapDocument<OverdueStanding>("overdue_item", mapping =>
        {
            mapping.Copy<OverdueStanding>(nameof(OverdueStanding.Team), "team", notNull: true);
            mapping.Copy<OverdueStanding>(nameof(OverdueStanding.Owner), "owner", notNull: true);
            mapping.Copy<OverdueStanding>(nameof(OverdueStanding.Level), "level", notNull: true);
            mapping.Copy<OverdueStanding>(nameof(OverdueStanding.DueAt), "due_at", notNull: true);
            mapping.Copy<OverdueStanding>(nameof(OverdueStanding.Overdue), "overdue", notNull: true);
            // A team's most overdue items in order straight from the index. The counts per team,
            // owner and level are kept beside the documents by triggers (OverdueCounts).
            var index = mapping.AddIndex("team", "due_at", "id");
            index.Predicate = "overdue";
            index.IncludeColumns = ["owner", "level"];
        });
    }
}
