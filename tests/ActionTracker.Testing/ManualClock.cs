namespace ActionTracker.Testing;

/// <summary>A clock that moves only when a test moves it.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start.ToUniversalTime();
    private readonly Lock _lock = new();

    public ManualClock() : this(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock) _now += by;
    }

    public void Set(DateTimeOffset to)
    {
        lock (_lock) _now = to.ToUniversalTime();
    }
}
