namespace ActionTracker.Api.Infrastructure.Messaging;

/// <summary>
/// How a kind of message is retried: attempts in all, the first delay, doubled each time up to the
/// cap. Bound from configuration (<c>Scheduler</c> for deadline checks and digests,
/// <c>Notifications</c> for posts to teams).
/// </summary>
public sealed class RetryPolicy
{
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The waits before attempts 2 to <see cref="MaxAttempts"/>.</summary>
    public TimeSpan[] Delays() =>
        [.. Enumerable.Range(0, Math.Max(0, MaxAttempts - 1))
            .Select(n => TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks * (1L << Math.Min(n, 30)))))];
}
