using ActionTracker.Api.ActionItems.Reminders;
using ActionTracker.Domain.ActionItems;
using JasperFx.Events;
using Marten;
using Wolverine;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// Every write to an item's stream goes through here, so that the item's next deadline check is
/// scheduled in the same transaction as the events that move it (creation, a new due date,
/// reopening, each ladder step): <paramref name="bus"/> is enlisted in the session's outbox, so
/// the check commits with the events or not at all. Checks scheduled earlier are not cancelled:
/// each carries the instant it is for, and one the item no longer expects does nothing. The
/// ladder is the item's team's in force (<see cref="Policy.TeamPolicies"/>).
/// </summary>
public sealed class ItemStreams
{
    /// <summary>Starts an item's stream; returns the item as created.</summary>
    public async Task<ActionItem> Start(IDocumentSession session, IMessageBus bus, Guid id, IReadOnlyList<IActionItemEvent> events, EscalationPolicy ladder)
    {
        session.Events.StartStream<ActionItem>(id, events);
        var item = ActionItem.Fold(events)!;
        await Schedule(bus, item, events, ladder);
        return item;
    }

    /// <summary>Appends to a stream fetched for writing; returns the item after the events.</summary>
    public async Task<ActionItem> Append(IMessageBus bus, IEventStream<ActionItem> stream, IReadOnlyList<IActionItemEvent> events, EscalationPolicy ladder)
    {
        var item = stream.Aggregate ?? throw new InvalidOperationException($"Item {stream.Id} has no state to append to.");
        if (events.Count == 0)
            return item;
        stream.AppendMany(events);
        item = events.Aggregate(item, ActionItem.Evolve);
        await Schedule(bus, item, events, ladder);
        return item;
    }

    /// <summary>
    /// Schedules the item's next deadline check on <paramref name="ladder"/> if these events moved
    /// it, or whatever they were when <paramref name="newLadder"/> says the item moved onto another
    /// ladder (to another team).
    /// </summary>
    public async Task Schedule(IMessageBus bus, ActionItem item, IReadOnlyList<IActionItemEvent> events, EscalationPolicy ladder, bool newLadder = false)
    {
        if ((newLadder || events.Any(e => MovesTheSchedule(e, ladder))) && Deadlines.NextCheck(item, ladder) is { } next)
            await bus.ScheduleAsync(new CheckItemDeadlines(item.Id, next), next);
    }

    private static bool MovesTheSchedule(IActionItemEvent e, EscalationPolicy ladder) => e is ActionItemCreated or ActionItemDueDateChanged
        or ActionItemReopened or ActionItemDueSoon or ActionItemOverdue or ActionItemEscalated
        // A ladder that pauses while blocked resumes when the item is unblocked, later by that long.
        || (e is ActionItemUnblocked && ladder.PauseWhileBlocked);
}
