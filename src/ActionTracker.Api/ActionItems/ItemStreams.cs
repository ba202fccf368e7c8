using ActionTracker.Api.ActionItems.Reminders;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore.Messaging;
using JasperFx.Events;
using Marten;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// Every write to an item's stream goes through here, so that the item's next deadline check is
/// scheduled (or cancelled) in the same transaction as the events that move it: creation, a new
/// due date, completion, reopening and each ladder step. The schedule can never disagree with the
/// item, and a finished item has nothing scheduled.
/// </summary>
public sealed class ItemStreams(MessageScheduler scheduled, EscalationPolicy policy)
{
    /// <summary>Starts an item's stream; returns the item as created.</summary>
    public ActionItem Start(IDocumentSession session, Guid id, IReadOnlyList<IActionItemEvent> events)
    {
        session.Events.StartStream<ActionItem>(id, events);
        var item = ActionItem.Fold(events)!;
        Schedule(session, item, events);
        return item;
    }

    /// <summary>Appends to a stream fetched for writing; returns the item after the events.</summary>
    public ActionItem Append(IDocumentSession session, IEventStream<ActionItem> stream, IReadOnlyList<IActionItemEvent> events)
    {
        var item = stream.Aggregate ?? throw new InvalidOperationException($"Item {stream.Id} has no state to append to.");
        if (events.Count == 0)
            return item;
        stream.AppendMany(events);
        item = events.Aggregate(item, ActionItem.Evolve);
        Schedule(session, item, events);
        return item;
    }

    private void Schedule(IDocumentSession session, ActionItem item, IReadOnlyList<IActionItemEvent> events)
    {
        if (!events.Any(MovesTheSchedule))
            return;
        var message = new CheckItemDeadlines(item.Id);
        if (Deadlines.NextCheck(item, policy) is { } next)
            scheduled.Schedule(session.Sql(), message.Key, message, next);
        else
            MessageScheduler.Cancel(session.Sql(), message.Key);
    }

    private static bool MovesTheSchedule(IActionItemEvent e) => e is ActionItemCreated or ActionItemDueDateChanged or ActionItemCompleted
        or ActionItemCancelled or ActionItemReopened or ActionItemDueSoon or ActionItemOverdue or ActionItemEscalated;
}
