using System.Diagnostics.Metrics;

namespace ActionTracker.EventStore.Messaging;

/// <summary>
/// Backlog gauges for operators: scheduled work due and dead-lettered, outbox waiting and
/// dead-lettered. Refreshed by the polling loop, so reading a gauge never touches the database.
/// </summary>
public sealed class MessagingMetrics
{
    public const string MeterName = "ActionTracker.Messaging";

    private long _scheduledDue, _scheduledDead, _outboxPending, _outboxDead;

    public MessagingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("actiontracker.scheduled.due", () => Volatile.Read(ref _scheduledDue), "{message}",
            "Scheduled messages due and not yet handled.");
        meter.CreateObservableGauge("actiontracker.scheduled.dead", () => Volatile.Read(ref _scheduledDead), "{message}",
            "Scheduled messages dead-lettered after their last attempt.");
        meter.CreateObservableGauge("actiontracker.outbox.pending", () => Volatile.Read(ref _outboxPending), "{message}",
            "Outbox messages not yet delivered.");
        meter.CreateObservableGauge("actiontracker.outbox.dead", () => Volatile.Read(ref _outboxDead), "{message}",
            "Outbox messages dead-lettered after their last attempt.");
    }

    public async Task Refresh(ScheduledWork scheduled, CancellationToken ct)
    {
        var (due, dead) = await scheduled.Backlog(ct);
        Volatile.Write(ref _scheduledDue, due);
        Volatile.Write(ref _scheduledDead, dead);
    }

    public async Task Refresh(Outbox outbox, CancellationToken ct)
    {
        var (pending, dead) = await outbox.Backlog(ct);
        Volatile.Write(ref _outboxPending, pending);
        Volatile.Write(ref _outboxDead, dead);
    }
}
