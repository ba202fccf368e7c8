using System.Globalization;

namespace ActionTracker.Api.Teams;

/// <summary>
/// Times as a team reads them: in its time zone, with UTC beside it when the zone is another
/// ("2026-12-08 07:00 America/New_York (12:00 UTC)").
/// </summary>
public static class TeamTime
{
    public static TimeZoneInfo Zone(string? id) =>
        id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    public static string Format(DateTimeOffset instant, string? zoneId) => Format(instant, Zone(zoneId));

    public static string Format(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var utc = instant.ToUniversalTime();
        if (zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC")
            return utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var sameDay = local.Date == utc.Date;
        return $"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} {zone.Id} ({utc.ToString(sameDay ? "HH:mm" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)";
    }
}
