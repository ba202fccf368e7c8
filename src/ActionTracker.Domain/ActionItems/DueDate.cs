namespace ActionTracker.Domain.ActionItems;

/// <summary>
/// A due date as asked for: an instant, or a calendar day, which ends at 23:59:59 in the item's
/// team's time zone (a team in New York that says "2026-12-20" means the end of its own day, not
/// of London's). Resolved by the decider, which knows the team's zone.
/// </summary>
public readonly record struct DueDate
{
    private readonly DateTimeOffset? _instant;
    private readonly DateOnly? _day;

    private DueDate(DateTimeOffset? instant, DateOnly? day) => (_instant, _day) = (instant, day);

    public static DueDate At(DateTimeOffset instant) => new(instant, null);

    public static DueDate EndOf(DateOnly day) => new(null, day);

    public static implicit operator DueDate(DateTimeOffset instant) => At(instant);

    /// <summary>The instant this due date is in <paramref name="zone"/>.</summary>
    public DateTimeOffset In(TimeZoneInfo zone)
    {
        if (_instant is { } instant)
            return instant;
        var local = (_day ?? default).ToDateTime(new TimeOnly(23, 59, 59));
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public override string ToString() => _instant?.ToString("O") ?? _day?.ToString("yyyy-MM-dd") ?? "";
}
