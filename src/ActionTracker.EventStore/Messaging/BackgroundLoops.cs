using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActionTracker.EventStore.Messaging;

/// <summary>
/// Polls for due scheduled work and outbox messages. Every replica runs both; row claims, not
/// leader election, keep the work from being done twice. A failed poll (database restarting)
/// is logged and tried again at the next interval.
/// </summary>
public sealed partial class MessagingLoops(
    ScheduledWork scheduled,
    ScheduledWorkOptions scheduledOptions,
    Outbox outbox,
    OutboxOptions outboxOptions,
    MessagingMetrics metrics,
    TimeProvider time,
    ILogger<MessagingLoops> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        scheduledOptions.Enabled
            ? PollingLoop.Run(RunScheduled, scheduledOptions.PollInterval, time, e => LogPollFailed(e, "scheduled work"), stoppingToken)
            : Task.CompletedTask,
        outboxOptions.Enabled
            ? PollingLoop.Run(RunOutbox, outboxOptions.PollInterval, time, e => LogPollFailed(e, "outbox"), stoppingToken)
            : Task.CompletedTask);

    private async Task RunScheduled(CancellationToken ct)
    {
        await scheduled.RunDue(ct);
        await metrics.Refresh(scheduled, ct);
    }

    private async Task RunOutbox(CancellationToken ct)
    {
        await outbox.DispatchDue(ct);
        await metrics.Refresh(outbox, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling {Name} failed; trying again at the next interval")]
    private partial void LogPollFailed(Exception error, string name);
}

/// <summary>A step run at an interval until the host stops.</summary>
public static class PollingLoop
{
    /// <summary>
    /// Runs <paramref name="step"/> every <paramref name="interval"/> until <paramref name="ct"/>
    /// is cancelled. A step started is finished, even when the host is stopping (its claims are
    /// then released by its own commit rather than by a lease running out); a failed step goes to
    /// <paramref name="failed"/> and the next one comes at the next interval.
    /// </summary>
    public static async Task Run(Func<CancellationToken, Task> step, TimeSpan interval, TimeProvider time, Action<Exception> failed, CancellationToken ct)
    {
        // Yield first so that host start-up is not held up by the first poll.
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await step(CancellationToken.None);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                failed(e);
            }
            try
            {
                await Task.Delay(interval, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
