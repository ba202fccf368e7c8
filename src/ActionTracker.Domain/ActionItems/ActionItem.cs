namespace ActionTracker.Domain.ActionItems;

/// <summary>The state of one action item, folded from its events.</summary>
public sealed record ActionItem(
    Guid Id,
    string Title,
    string? Description,
    string Team,
    string Owner,
    Priority Priority,
    ItemStatus Status,
    DateTimeOffset DueAt,
    ItemSource? Source,
    IReadOnlyList<string> Labels,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    int OwnerPostponements,
    int EscalationLevel,
    int Comments,
    DateTimeOffset? RemindedFor = null,
    DateTimeOffset? LastNotifiedAt = null,
    string? BlockedReason = null,
    string? Resolution = null,
    string? WontDoReason = null,
    DateTimeOffset? BlockedSince = null,
    TimeSpan BlockedFor = default,
    IReadOnlyList<string>? EscalatedTo = null)
{
    public bool IsTerminal => Status.IsTerminal();

    /// <summary>How urgent, as a number that sorts: 0 is critical. Stored beside the item so lists can order by it.</summary>
    public int Urgency => (int)Priority;

    /// <summary>From the due instant on, as the ladder counts it.</summary>
    public bool IsOverdue(DateTimeOffset now) => !IsTerminal && DueAt <= now;

    public static ActionItem Evolve(ActionItem? state, IActionItemEvent @event) => (state, @event) switch
    {
        (null, ActionItemCreated e) => new ActionItem(
            e.ItemId, e.Title, e.Description, e.Team, e.Owner, e.Priority, ItemStatus.Open, e.DueAt, e.Source,
            e.Labels, e.At, e.At, null, 0, 0, 0),
        (null, _) => throw new InvalidOperationException($"Stream of {@event.ItemId} does not start with {nameof(ActionItemCreated)}."),
        (_, ActionItemCreated) => throw new InvalidOperationException($"Item {@event.ItemId} was created twice."),
        // Why an item is blocked, how it was resolved or why it won't be done hold while the item
        // is in that state, so a reader needs no history to see them.
        (_, ActionItemStarted e) => state with { Status = ItemStatus.InProgress, UpdatedAt = e.At, BlockedReason = null },
        (_, ActionItemWorkStopped e) => state with { Status = ItemStatus.Open, UpdatedAt = e.At, BlockedReason = null },
        // How long the item has been blocked since its due date was set: a ladder that pauses
        // while blocked moves its remaining steps by that much.
        (_, ActionItemBlocked e) => state with { Status = ItemStatus.Blocked, UpdatedAt = e.At, BlockedReason = e.Reason, BlockedSince = e.At },
        (_, ActionItemUnblocked e) => state with
        {
            Status = e.ResumedAs, UpdatedAt = e.At, BlockedReason = null, BlockedSince = null,
            BlockedFor = state.BlockedFor + (state.BlockedSince is { } since ? e.At - since : TimeSpan.Zero),
        },
        (_, ActionItemCompleted e) => state with { Status = ItemStatus.Done, UpdatedAt = e.At, CompletedAt = e.At, BlockedReason = null, BlockedSince = null, Resolution = e.Resolution },
        (_, ActionItemCancelled e) => state with { Status = ItemStatus.WontDo, UpdatedAt = e.At, CompletedAt = e.At, BlockedReason = null, BlockedSince = null, WontDoReason = e.Reason },
        (_, ActionItemReopened e) => state with { Status = ItemStatus.Open, UpdatedAt = e.At, CompletedAt = null, Resolution = null, WontDoReason = null },
        (_, ActionItemAssigned e) => state with { Owner = e.Owner, Team = e.Team, UpdatedAt = e.At },
        (_, ActionItemDueDateChanged e) => state with
        {
            DueAt = e.DueAt,
            UpdatedAt = e.At,
            OwnerPostponements = state.OwnerPostponements + (e.OwnerPostponement ? 1 : 0),
            // A new due date re-arms the escalation ladder, and its pauses count from now.
            EscalationLevel = 0,
            EscalatedTo = null,
            BlockedFor = TimeSpan.Zero,
            BlockedSince = state.BlockedSince is null ? null : e.At,
        },
        (_, ActionItemCommented e) => state with { Comments = state.Comments + 1, UpdatedAt = e.At },
        (_, ActionItemDetailsChanged e) => state with
        {
            Title = e.Fields.Contains("title") ? e.Title! : state.Title,
            Description = e.Fields.Contains("description") ? e.Description : state.Description,
            Priority = e.Fields.Contains("priority") ? e.Priority!.Value : state.Priority,
            Labels = e.Fields.Contains("labels") ? e.Labels! : state.Labels,
            UpdatedAt = e.At,
        },
        // Deadline steps are the clock's doing, not an edit: UpdatedAt stays.
        (_, ActionItemDueSoon e) => state with { RemindedFor = e.DueAt, LastNotifiedAt = e.Notify ? e.At : state.LastNotifiedAt },
        (_, ActionItemOverdue e) => state with { EscalationLevel = 1, LastNotifiedAt = e.At, EscalatedTo = e.Notified },
        (_, ActionItemEscalated e) => state with { EscalationLevel = e.Level, LastNotifiedAt = e.At, EscalatedTo = e.Notified },
        _ => throw new InvalidOperationException($"Unknown event {@event.GetType().Name}."),
    };

    public static ActionItem? Fold(IEnumerable<IActionItemEvent> events) =>
        events.Aggregate((ActionItem?)null, Evolve);
}
