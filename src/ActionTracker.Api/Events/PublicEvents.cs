using System.Collections.Frozen;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Digests;
using ActionTracker.Domain.ActionItems;

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
        "actiontracker.item.details_changed.v1",
    ];

    public sealed record ItemCreated(Guid Id, string Title, string? Description, string Team, string Owner, string Priority,
        DateTimeOffset DueAt, SourceResponse? Source, IReadOnlyList<string> Labels, string Actor);

    public sealed record ItemAssigned(Guid Id, string Owner, string Team, string PreviousOwner, string PreviousTeam, string Actor);

    public sealed record StatusChanged(Guid Id, string Status, string? Reason, string? Resolution, string Actor);

    public sealed record DueDateChanged(Guid Id, DateTimeOffset DueAt, DateTimeOffset PreviousDueAt, string Reason, string Actor);

    public sealed record Commented(Guid Id, Guid CommentId, string Text, string Actor);

    /// <summary>The fields named changed, with their new values; the others are null (a cleared description too).</summary>
    public sealed record DetailsChanged(Guid Id, IReadOnlyList<string> Fields, string? Title, string? Description, string? Priority,
        IReadOnlyList<string>? Labels, string Actor);

    public sealed record Deadline(Guid Id, DateTimeOffset DueAt, int Level);

    /// <summary>A step of the team's ladder: its level and the subjects it notified (absent on steps recorded before ladders were data).</summary>
    public sealed record LadderStep(Guid Id, DateTimeOffset DueAt, int Level,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyList<string>? Notified);

    public sealed record DigestPublished(string Team, string Week, DateTimeOffset GeneratedAt, int Overdue, bool AllClear);

    private const string StatusChangedType = "actiontracker.item.status_changed.v1";

    /// <summary>
    /// How each stored event class becomes a public event; classes not here stay internal. A
    /// table, so that a type filter can name the stored classes behind a public type.
    /// </summary>
    private static readonly FrozenDictionary<Type, Mapping> Mappings = new[]
    {
        On<ActionItemCreated>("actiontracker.item.created.v1", e => new ItemCreated(e.ItemId, e.Title, e.Description, e.Team, e.Owner,
            e.Priority.Name(), e.DueAt, e.Source is { } s ? new SourceResponse(s.Kind, s.Ref, s.Title) : null, e.Labels, e.By)),
        On<ActionItemAssigned>("actiontracker.item.assigned.v1", e => new ItemAssigned(e.ItemId, e.Owner, e.Team, e.PreviousOwner, e.PreviousTeam, e.By)),
        On<ActionItemStarted>(StatusChangedType, e => Status(e, ItemStatus.InProgress)),
        On<ActionItemWorkStopped>(StatusChangedType, e => Status(e, ItemStatus.Open)),
        On<ActionItemBlocked>(StatusChangedType, e => Status(e, ItemStatus.Blocked, e.Reason)),
        On<ActionItemUnblocked>(StatusChangedType, e => Status(e, e.ResumedAs)),
        On<ActionItemCompleted>(StatusChangedType, e => Status(e, ItemStatus.Done, resolution: e.Resolution)),
        On<ActionItemCancelled>(StatusChangedType, e => Status(e, ItemStatus.WontDo, e.Reason)),
        On<ActionItemReopened>(StatusChangedType, e => Status(e, ItemStatus.Open, e.Reason)),
        On<ActionItemDueDateChanged>("actiontracker.item.due_date_changed.v1", e => new DueDateChanged(e.ItemId, e.DueAt, e.PreviousDueAt, e.Reason, e.By)),
        On<ActionItemCommented>("actiontracker.item.commented.v1", e => new Commented(e.ItemId, e.CommentId, e.Text, e.By)),
        On<ActionItemDetailsChanged>("actiontracker.item.details_changed.v1",
            e => new DetailsChanged(e.ItemId, e.Fields, e.Title, e.Description, e.Priority?.Name(), e.Labels, e.By)),
        On<ActionItemDueSoon>("actiontracker.item.due_soon.v1", e => new Deadline(e.ItemId, e.DueAt, 0)),
        On<ActionItemOverdue>("actiontracker.item.overdue.v1", e => new LadderStep(e.ItemId, e.DueAt, 1, e.Notified)),
        On<ActionItemEscalated>("actiontracker.item.escalated.v1", e => new LadderStep(e.ItemId, e.DueAt, e.Level, e.Notified)),
        On<WeeklyDigestPublished>("actiontracker.digest.published.v1",
            e => new DigestPublished(e.Team, e.Week, e.GeneratedAt, e.Digest.Trend.OverdueNow, e.Digest.AllClear)),
    }.ToFrozenDictionary(m => m.Source);

    private sealed record Mapping(Type Source, string Type, Func<object, object> Data);

    private static Mapping On<TEvent>(string type, Func<TEvent, object> data) => new(typeof(TEvent), type, e => data((TEvent)e));

    /// <summary>The public type and data of a stored event, or null for events other services do not see.</summary>
    public static (string Type, object Data)? Map(object data) =>
        Mappings.TryGetValue(data.GetType(), out var mapping) ? (mapping.Type, mapping.Data(data)) : null;

    /// <summary>The stored event classes that become any of the public types (a type filter, applied as the log is read).</summary>
    public static IReadOnlyList<Type> SourcesOf(IEnumerable<string> types)
    {
        var wanted = types.ToHashSet(StringComparer.Ordinal);
        return Mappings.Values.Where(m => wanted.Contains(m.Type)).Select(m => m.Source).ToList();
    }

    private static object Status(IActionItemEvent e, ItemStatus status, string? reason = null, string? resolution = null) =>
        new StatusChanged(e.ItemId, status.Name(), reason, resolution, e.By);

    /// <summary>The team an event belongs to when its data says so (others are looked up by item).</summary>
    public static string? TeamOf(object data) => data switch
    {
        ActionItemCreated e => e.Team,
        ActionItemAssigned e => e.Team,
        WeeklyDigestPublished e => e.Team,
        _ => null,
    };

    public static CloudEvent Envelope(LoggedEvent logged, string type, object data) => new(
        "1.0", logged.Id.ToString(), Source, type,
        logged.Data is WeeklyDigestPublished d ? $"digest/{d.Team}/{d.Week}" : logged.StreamId.ToString(),
        logged.OccurredAt, "application/json", data, logged.Position.ToString(), logged.TraceParent);
}
