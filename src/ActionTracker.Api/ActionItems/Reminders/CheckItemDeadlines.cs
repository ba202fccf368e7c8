using ActionTracker.Api.Notifications;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Messaging;

namespace ActionTracker.Api.ActionItems.Reminders;

/// <summary>The scheduled message that makes the scheduler look at one item's deadlines.</summary>
public sealed record CheckItemDeadlines(Guid ItemId) : IStreamMessage
{
    public string Key => $"deadlines:{ItemId}";

    [System.Text.Json.Serialization.JsonIgnore]
    public Guid StreamId => ItemId;
}

/// <summary>
/// Keeps each item's next deadline check scheduled, in the same transaction as the events that
/// move it: creation, a new due date, completion, reopening and each ladder step. So the schedule
/// can never disagree with the item, and a finished item has nothing scheduled.
/// </summary>
public sealed class DeadlineSchedule(MessageScheduler scheduled, EscalationPolicy policy) : IInlineProjection<ActionItem>
{
    public void Project(ProjectionChange<ActionItem> change, ProjectionBatch batch)
    {
        if (!change.Events.Any(e => MovesTheSchedule(e.Data)))
            return;
        var message = new CheckItemDeadlines(change.StreamId);
        if (Deadlines.NextCheck(change.State, policy) is { } next)
            scheduled.Schedule(batch, message.Key, message, next);
        else
            MessageScheduler.Cancel(batch, message.Key);
    }

    private static bool MovesTheSchedule(object e) => e is ActionItemCreated or ActionItemDueDateChanged or ActionItemCompleted
        or ActionItemCancelled or ActionItemReopened or ActionItemDueSoon or ActionItemOverdue or ActionItemEscalated;
}

/// <summary>
/// Records the ladder steps the clock has reached for one item and queues the team's
/// notifications, all in the scheduler's transaction: a step happens once even with many
/// replicas, and its notification is sent only if the step committed.
/// </summary>
public sealed class CheckItemDeadlinesHandler(
    TimeProvider time,
    DueDatePolicy dueDates,
    EscalationPolicy ladder,
    MessageScheduler scheduled,
    TeamNotifier notifier) : IScheduledHandler<CheckItemDeadlines>
{
    public static readonly Caller Scheduler = Caller.Create("scheduler", [], [Caller.ServiceRole]);

    public async Task Handle(CheckItemDeadlines message, EventSession session, CancellationToken ct)
    {
        // Under the stream's lock: a user's change to the item waits for this step, or this step
        // sees that change.
        var stream = await session.FetchForWriting<ActionItem>(message.ItemId, exclusive: true, ct);
        if (stream?.State is not { } item)
            return;

        var now = time.Now();
        var steps = ActionItemDecider.Decide(item, new CheckDeadlines(), new DecisionContext(Scheduler, now, dueDates, ladder));
        if (steps.Count == 0)
        {
            // Claiming removed the message; put the next check back (e.g. a poll that came early).
            if (Deadlines.NextCheck(item, ladder) is { } next)
                scheduled.Schedule(session, message.Key, message, next);
            await session.SaveChanges(ct);
            return;
        }

        stream.Append(steps);
        // At most one notification per item a day: a level change reached within a day of the
        // last one is recorded now and sent when the day is over.
        var notBefore = item.LastNotifiedAt + ladder.QuietPeriod;
        await notifier.Queue(session, stream.State!, steps, ct, notBefore > now ? notBefore : null);
        await session.SaveChanges(ct);
    }
}
