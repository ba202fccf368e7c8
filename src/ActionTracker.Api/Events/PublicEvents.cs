using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Digests;
using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;

namespace ActionTracker.Api.Events;

/// <summary>
/// A CloudEvents 1.0 envelope (JSON format) with the <c>position</c> extension and, when the
/// change was traced, the distributed-tracing extension's <c>traceparent</c>.
/// </summary>
public sealed record CloudEvent(
    string Specversion,
    string Id,
    string Source,
    string Type,
    string Subject,
    DateTimeOffset Time,
    string Datacontenttype,
    object Data,
    string Position,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Traceparent = null);

/// <summary>
/// The public contract for other services, mapped explicitly from the stored events: internal
/// events may be renamed or reshaped without breaking a subscriber, and each public type is
/// versioned (a breaking change gets a new <c>.v2</c> type). The catalogue is docs/events.md.
/// </summary>
public static class PublicEvents
{
    public const string Source = "/action-tracker";

    public static readonly IReadOnlyList<string> Types =
    [
        "actiontracker.item.created.v1", "actiontracker.item.assigned.v1", "actiontracker.item.status_changed.v1",
        "actiontracker.item.due_date_changed.v1", "actiontracker.item.commented.v1", "actiontracker.item.due_soon.v1",
        "actiontracker.item.overdue.v1", "actiontracker.item.escalated.v1", "actiontracker.digest.published.v1",
    ];

    public sealed record ItemCreated(Guid Id, string Title, string? Description, string Team, string Owner, string Priority,
        DateTimeOffset DueAt, SourceResponse? Source, IReadOnlyList<string> Labels, string Actor);

    public sealed record ItemAssigned(Guid Id, string Owner, string Team, string PreviousOwner, string PreviousTeam, string Actor);

    public sealed record StatusChanged(Guid Id, string Status, string? Reason, string? Resolution, string Actor);

    public sealed record DueDateChanged(Guid Id, DateTimeOffset DueAt, DateTimeOffset PreviousDueAt, string Reason, string Actor);

    public sealed record Commented(Guid Id, Guid CommentId, string Text, string Actor);

    public sealed record Deadline(Guid Id, DateTimeOffset DueAt, int Level);

    public sealed record DigestPublished(string Team, string Week, DateTimeOffset GeneratedAt, int Overdue, bool AllClear);

    /// <summary>The public type and data of a stored event, or null for events other services do not see.</summary>
    public static (string Type, object Data)? Map(object data) => data switch
    {
        ActionItemCreated e => ("actiontracker.item.created.v1", new ItemCreated(e.ItemId, e.Title, e.Description, e.Team, e.Owner,
            e.Priority.Name(), e.DueAt, e.Source is { } s ? new SourceResponse(s.Kind, s.Ref, s.Title) : null, e.Labels, e.By)),
        ActionItemAssigned e => ("actiontracker.item.assigned.v1", new ItemAssigned(e.ItemId, e.Owner, e.Team, e.PreviousOwner, e.PreviousTeam, e.By)),
        ActionItemStarted e => Status(e, ItemStatus.InProgress),
        ActionItemWorkStopped e => Status(e, ItemStatus.Open),
        ActionItemBlocked e => Status(e, ItemStatus.Blocked, e.Reason),
        ActionItemUnblocked e => Status(e, e.ResumedAs),
        ActionItemCompleted e => Status(e, ItemStatus.Done, resolution: e.Resolution),
        ActionItemCancelled e => Status(e, ItemStatus.WontDo, e.Reason),
        ActionItemReopened e => Status(e, ItemStatus.Open, e.Reason),
        ActionItemDueDateChanged e => ("actiontracker.item.due_date_changed.v1", new DueDateChanged(e.ItemId, e.DueAt, e.PreviousDueAt, e.Reason, e.By)),
        ActionItemCommented e => ("actiontracker.item.commented.v1", new Commented(e.ItemId, e.CommentId, e.Text, e.By)),
        ActionItemDueSoon e => ("actiontracker.item.due_soon.v1", new Deadline(e.ItemId, e.DueAt, 0)),
        ActionItemOverdue e => ("actiontracker.item.overdue.v1", new Deadline(e.ItemId, e.DueAt, 1)),
        ActionItemEscalated e => ("actiontracker.item.escalated.v1", new Deadline(e.ItemId, e.DueAt, e.Level)),
        WeeklyDigestPublished e => ("actiontracker.digest.published.v1",
            new DigestPublished(e.Team, e.Week, e.GeneratedAt, e.Digest.Trend.OverdueNow, e.Digest.AllClear)),
        _ => null,
    };

    private static (string, object) Status(IActionItemEvent e, ItemStatus status, string? reason = null, string? resolution = null) =>
        ("actiontracker.item.status_changed.v1", new StatusChanged(e.ItemId, status.Name(), reason, resolution, e.By));

    /// <summary>The team an event belongs to when its data says so (others are looked up by item).</summary>
    public static string? TeamOf(object data) => data switch
    {
        ActionItemCreated e => e.Team,
        ActionItemAssigned e => e.Team,
        WeeklyDigestPublished e => e.Team,
        _ => null,
    };

    public static CloudEvent Envelope(StoredEvent stored, string type, object data) => new(
        "1.0", stored.Id.ToString(), Source, type,
        stored.Data is WeeklyDigestPublished d ? $"digest/{d.Team}/{d.Week}" : stored.StreamId.ToString(),
        stored.OccurredAt, "application/json", data, stored.Position.ToString(), stored.Metadata.TraceParent);
}
