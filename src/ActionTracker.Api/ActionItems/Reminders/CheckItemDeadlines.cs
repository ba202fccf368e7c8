using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Notifications;
using ActionTracker.Api.Policy;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace ActionTracker.Api.ActionItems.Reminders;

/// <summary>
/// A scheduled message: look at one item's deadlines at <see cref="At"/>. Re-dating, finishing or
/// climbing the ladder schedules a new one and does not cancel the old: <see cref="At"/> says
/// which check this is, and one the item no longer expects does nothing.
/// </summary>
[MessageIdentity("check-item-deadlines")]
public sealed record CheckItemDeadlines(Guid ItemId, DateTimeOffset At);

/// <summary>
/// Records the ladder steps the clock has reached for one item and cascades the team's
/// notification, in one transaction with Wolverine's outbox: a step happens once even with many
/// replicas, and its notification is sent only if the step committed.
/// </summary>
public static class CheckItemDeadlinesHandler
{
    public static readonly Caller Scheduler = Caller.Create("scheduler", [], [Caller.ServiceRole]);

    public static async Task<OutgoingMessages> Handle(
        CheckItemDeadlines message,
        Envelope envelope,
        IDocumentSession session,
        IMessageBus bus,
        ItemStreams items,
        TimeProvider time,
        TeamPolicies policies,
        TeamNotifier notifier,
        CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        session.Stamp(new EventMetadata(Scheduler.Id, envelope.CorrelationId, envelope.Id.ToString()));
        // Under the stream's lock: a user's change to the item waits for this step, or this step
        // sees that change.
        var stream = await session.Events.FetchForExclusiveWriting<ActionItem>(message.ItemId, ct);
        if (stream.Aggregate is not { } item)
            return outgoing;
        // The team's policy as it is now: a changed ladder applies from the next step on.
        var rules = await policies.For(item.Team, ct);
        var ladder = rules.Ladder;
        if (Deadlines.NextCheck(item, ladder) != message.At)
            return outgoing; // finished, re-dated, already past this step, or a ladder since changed: a stale check

        var now = time.Now();
        if (now < message.At)
        {
            // Released early (another node's clock ahead of ours): the same check, at its time.
            outgoing.Schedule(message, message.At);
            return outgoing;
        }

        var steps = ActionItemDecider.Decide(item, new CheckDeadlines(), rules.ContextFor(Scheduler, now));
        var after = await items.Append(bus, stream, steps, ladder);
        // At most one notification per item a day: a level change reached within a day of the
        // last one is recorded now and sent when the day is over.
        var notBefore = item.LastNotifiedAt + ladder.QuietPeriod;
        if (await notifier.For(after, steps, ct) is { } notification)
        {
            if (notBefore > now)
                outgoing.Schedule(notification, notBefore.Value);
            else
                outgoing.Add(notification);
        }
        return outgoing;
    }
}
