namespace ActionTracker.Api.ActionItems;

public static class Clock
{
    /// <summary>Now, to the millisecond: what PostgreSQL stores and reads back exactly.</summary>
    public static DateTimeOffset Now(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}
