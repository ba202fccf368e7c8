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
        scheduledOptions.Enabled ? Loop("scheduled work", RunScheduled, scheduledOptions.PollInterval, stoppingToken) : Task.CompletedTask,
        outboxOptions.Enabled ? Loop("outbox", RunOutbox, outboxOptions.PollInterval, stoppingToken) : Task.CompletedTask);

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

    private async Task Loop(string name, Func<CancellationToken, Task> step, TimeSpan interval, CancellationToken ct)
    {
        // Yield first so that host start-up is not held up by the first poll.
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // A step started is finished, even when the host is stopping: its claims are
                // then released by its own commit rather than by a lease running out.
                await step(CancellationToken.None);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogPollFailed(e, name);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling {Name} failed; trying again at the next interval")]
    private partial void LogPollFailed(Exception error, string name);
}
