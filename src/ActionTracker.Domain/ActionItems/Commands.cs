namespace ActionTracker.Domain.ActionItems;

public abstract record ActionItemCommand;

/// <param name="Priority">Medium when null.</param>
/// <param name="DueAt">The policy default for the priority when null.</param>
public sealed record CreateActionItem(
    Guid ItemId,
    string Title,
    string? Description,
    string Team,
    string Owner,
    Priority? Priority,
    DueDate? DueAt,
    ItemSource? Source,
    IReadOnlyList<string>? Labels) : ActionItemCommand;

/// <summary>Move the item to <paramref name="Status"/>; the decider picks the event that means.</summary>
public sealed record ChangeStatus(ItemStatus Status, string? Reason, string? Resolution) : ActionItemCommand;

/// <param name="Team">Unchanged when null.</param>
public sealed record AssignActionItem(string Owner, string? Team) : ActionItemCommand;

public sealed record ChangeDueDate(DueDate DueAt, string? Reason) : ActionItemCommand;

public sealed record AddComment(Guid CommentId, string Text) : ActionItemCommand;

/// <summary>Change the item's details; a null field stays as it is, an empty description clears it.</summary>
public sealed record EditDetails(string? Title, string? Description, Priority? Priority, IReadOnlyList<string>? Labels) : ActionItemCommand;

/// <summary>
/// Issued by the scheduler, never by a user: record whatever reminder or escalation step the
/// clock has reached. Deciding it twice at the same time yields nothing the second time.
/// </summary>
public sealed record CheckDeadlines : ActionItemCommand;
