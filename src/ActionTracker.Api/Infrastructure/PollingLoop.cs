namespace ActionTracker.Api.Infrastructure;

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
