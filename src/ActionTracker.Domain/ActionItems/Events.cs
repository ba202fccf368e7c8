namespace ActionTracker.Domain.ActionItems;

/// <summary>
/// Facts about one action item. Immutable, past tense, each with the acting user and the
/// instant. Stored as JSON: renaming a property is a breaking change for the stored history.
/// </summary>
public interface IActionItemEvent
{
    Guid ItemId { get; }
    string By { get; }
    DateTimeOffset At { get; }
}

public sealed record ActionItemCreated(
    Guid ItemId,
    string Title,
    string? Description,
    string Team,
    string Owner,
    Priority Priority,
    DateTimeOffset DueAt,
    ItemSource? Source,
    IReadOnlyList<string> Labels,
    string By,
    DateTimeOffset At) : IActionItemEvent;

public sealed record ActionItemStarted(Guid ItemId, string By, DateTimeOffset At) : IActionItemEvent;

/// <summary>Work went back to open from in progress.</summary>
public sealed record ActionItemWorkStopped(Guid ItemId, string By, DateTimeOffset At) : IActionItemEvent;

public sealed record ActionItemBlocked(Guid ItemId, string Reason, string By, DateTimeOffset At) : IActionItemEvent;

/// <summary>The blocker is gone; <paramref name="ResumedAs"/> is open or in progress.</summary>
public sealed record ActionItemUnblocked(Guid ItemId, ItemStatus ResumedAs, string By, DateTimeOffset At) : IActionItemEvent;

public sealed record ActionItemCompleted(Guid ItemId, string? Resolution, string By, DateTimeOffset At) : IActionItemEvent;

/// <summary>The item will not be done (status wont_do).</summary>
public sealed record ActionItemCancelled(Guid ItemId, string Reason, string By, DateTimeOffset At) : IActionItemEvent;

public sealed record ActionItemReopened(Guid ItemId, string? Reason, string By, DateTimeOffset At) : IActionItemEvent;

public sealed record ActionItemAssigned(
    Guid ItemId,
    string Owner,
    string Team,
    string PreviousOwner,
    string PreviousTeam,
    string By,
    DateTimeOffset At) : IActionItemEvent;

/// <param name="OwnerPostponement">True when the owner used their one postponement.</param>
public sealed record ActionItemDueDateChanged(
    Guid ItemId,
    DateTimeOffset DueAt,
    DateTimeOffset PreviousDueAt,
    string Reason,
    bool OwnerPostponement,
    string By,
    DateTimeOffset At) : IActionItemEvent;

public sealed record ActionItemCommented(Guid ItemId, Guid CommentId, string Text, string By, DateTimeOffset At) : IActionItemEvent;

/// <summary>
/// Details edited: <paramref name="Fields"/> names what changed (title, description, priority,
/// labels), each with its new value; the others are null. A cleared description is named with a
/// null value. A new priority never moves the due date.
/// </summary>
public sealed record ActionItemDetailsChanged(
    Guid ItemId, IReadOnlyList<string> Fields, string? Title, string? Description, Priority? Priority, IReadOnlyList<string>? Labels,
    string By, DateTimeOffset At) : IActionItemEvent;

/// <summary>The due date is near. <paramref name="Notify"/> is false when the item already
/// notified someone within the last day: at most one notification a day, except level changes.</summary>
public sealed record ActionItemDueSoon(Guid ItemId, DateTimeOffset DueAt, bool Notify, string By, DateTimeOffset At) : IActionItemEvent;

/// <summary>
/// The due date passed with the item still open: escalation level 1, the ladder's first step.
/// <paramref name="Notified"/>: the subjects that step named when it was taken (null on events
/// recorded before ladders were data, when level 1 meant the owner).
/// </summary>
public sealed record ActionItemOverdue(Guid ItemId, DateTimeOffset DueAt, string By, DateTimeOffset At, IReadOnlyList<string>? Notified = null) : IActionItemEvent;

/// <summary>
/// Escalated to <paramref name="Level"/>, the ladder's step of that number (2 and up).
/// <paramref name="Notified"/>: the subjects that step named when it was taken (null on events
/// recorded before ladders were data, when level 2 meant the leads and 3 the escalation contact).
/// </summary>
public sealed record ActionItemEscalated(Guid ItemId, DateTimeOffset DueAt, int Level, string By, DateTimeOffset At, IReadOnlyList<string>? Notified = null) : IActionItemEvent;

public static class ActionItemEvents
{
    /// <summary>Every event type of the stream, for the event store's type registry.</summary>
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(ActionItemCreated), typeof(ActionItemStarted), typeof(ActionItemWorkStopped),
        typeof(ActionItemBlocked), typeof(ActionItemUnblocked), typeof(ActionItemCompleted),
        typeof(ActionItemCancelled), typeof(ActionItemReopened), typeof(ActionItemAssigned),
        typeof(ActionItemDueDateChanged), typeof(ActionItemCommented), typeof(ActionItemDueSoon),
        typeof(ActionItemOverdue), typeof(ActionItemEscalated), typeof(ActionItemDetailsChanged),
    ];
}
