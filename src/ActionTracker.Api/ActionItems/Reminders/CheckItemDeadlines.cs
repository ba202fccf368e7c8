using ActionTracker.Api.Notifications;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Messaging;
using ActionTracker.Api.Infrastructure.Store;
using Marten;

namespace ActionTracker.Api.ActionItems.Reminders;

/// <summary>The scheduled message that makes the scheduler look at one item's deadlines.</summary>
public sealed record CheckItemDeadlines(Guid ItemId) : IStreamMessage
{
    public string Key => $"deadlines:{ItemId}";

    [System.Text.Json.Serialization.JsonIgnore]
    public Guid StreamId => ItemId;
}

/// <summary>
/// Records the ladder steps the clock has reached for one item and queues the team's
/// notifications, all in the scheduler's transaction: a step happens once even with many
/// replicas, and its notification is sent only if the step committed.
/// </summary>
public sealed class CheckItemDeadlinesHandler(
    IDocumentStore store,
    ItemStreams items,
    TimeProvider time,
    DueDatePolicy dueDates,
    EscalationPolicy ladder,
    MessageScheduler scheduled,
    TeamNotifier notifier) : IScheduledHandler<CheckItemDeadlines>
{
    public static readonly Caller Scheduler = Caller.Create("scheduler", [], [Caller.ServiceRole]);

    public async Task Handle(CheckItemDeadlines message, EventSession claim, CancellationToken ct)
    {
        // The claim (the message's removal) is written first: this step may schedule the same key again.
        await claim.SaveChanges(ct);
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(claim.EnlistedTransaction!));
        session.Stamp(claim.Metadata);
        // Under the stream's lock: a user's change to the item waits for this step, or this step
        // sees that change.
        var stream = await session.Events.FetchForExclusiveWriting<ActionItem>(message.ItemId, ct);
        if (stream.Aggregate is not { } item)
            return;

        var now = time.Now();
        var steps = ActionItemDecider.Decide(item, new CheckDeadlines(), new DecisionContext(Scheduler, now, dueDates, ladder));
        if (steps.Count == 0)
        {
            // Claiming removed the message; put the next check back (e.g. a poll that came early).
            if (Deadlines.NextCheck(item, ladder) is { } next)
                scheduled.Schedule(session.Sql(), message.Key, message, next);
            await session.SaveChangesAsync(ct);
            return;
        }

        var after = items.Append(session, stream, steps);
        // At most one notification per item a day: a level change reached within a day of the
        // last one is recorded now and sent when the day is over.
        var notBefore = item.LastNotifiedAt + ladder.QuietPeriod;
        await notifier.Queue(session.Sql(), after, steps, ct, notBefore > now ? notBefore : null);
        await session.SaveChangesAsync(ct);
    }
}
