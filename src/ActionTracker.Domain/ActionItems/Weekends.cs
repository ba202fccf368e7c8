namespace ActionTracker.Domain.ActionItems;

/// <summary>Weekends in a time zone: Saturday and Sunday by the zone's local calendar.</summary>
public static class Weekends
{
    /// <summary>
    /// <paramref name="at"/>, or, when it falls on a Saturday or Sunday in <paramref name="zone"/>,
    /// the Monday after at the same local time (the offset that Monday has, so a daylight-saving
    /// change over the weekend keeps the wall-clock time, not the elapsed hours).
    /// </summary>
    public static DateTimeOffset Skip(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var days = local.DayOfWeek switch
        {
            DayOfWeek.Saturday => 2,
            DayOfWeek.Sunday => 1,
            _ => 0,
        };
        if (days == 0)
            return at;
        var monday = local.DateTime.AddDays(days);
        // A local time the zone skips (the hour clocks jump over) is taken as the first one after it.
        while (zone.IsInvalidTime(monday))
            monday = monday.AddMinutes(30);
        return new DateTimeOffset(monday, zone.GetUtcOffset(monday)).ToUniversalTime();
    }
}
