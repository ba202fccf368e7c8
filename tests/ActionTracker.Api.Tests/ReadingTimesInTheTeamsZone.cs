using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace ActionTracker.Api.Tests;

/// <summary>A team in New York reads and writes its times in New York (issue 30.8).</summary>
public sealed class ReadingTimesInTheTeamsZone(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private async Task<(string Team, HttpClient Lead)> TeamInNewYork(string? notifyUrl = null)
    {
        var team = "nyc-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        Assert.True((await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, timeZone = "America/New_York", notifyUrl })).IsSuccessStatusCode);
        return (team, lead);
    }

    private string InTenDays() => api.Clock.GetUtcNow().AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset EndOfDayInNewYork(string day)
    {
        var local = DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(new TimeOnly(23, 59, 59));
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local)).ToUniversalTime();
    }

    [Fact]
    public async Task a_date_without_a_time_is_the_end_of_that_day_in_the_team_s_zone_at_creation_and_when_re_dated()
    {
        var (team, lead) = await TeamInNewYork();
        var day = InTenDays();

        var id = await lead.CreateItem(team: team, dueAt: day);

        Assert.Equal(EndOfDayInNewYork(day), (await lead.Item(id)).GetProperty("dueAt").GetDateTimeOffset());
        var later = api.Clock.GetUtcNow().AddDays(12).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.OK, (await lead.Post($"/api/action-items/{id}/due-date", new { dueAt = later, reason = "The vendor moved its release." })).StatusCode);
        Assert.Equal(EndOfDayInNewYork(later), (await lead.Item(id)).GetProperty("dueAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task the_team_s_notification_says_the_due_time_in_its_zone_with_utc_beside_it()
    {
        await using var receiver = await WebhookReceiver.Start();
        var (team, lead) = await TeamInNewYork($"{receiver.Url}/{Guid.NewGuid():N}");
        var dueAt = new DateTimeOffset(api.Clock.GetUtcNow().UtcDateTime.Date.AddDays(4).AddHours(17), TimeSpan.Zero);
        await lead.CreateItem(team: team, dueAt: dueAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

        api.Clock.Advance(TimeSpan.FromDays(3));
        await api.Services.RunDue();

        var local = TimeZoneInfo.ConvertTime(dueAt, NewYork);
        var text = Assert.Single(receiver.Received).Body.GetProperty("text").GetString();
        Assert.Contains($"is due {local:yyyy-MM-dd HH:mm} America/New_York (17:00 UTC)", text);
    }
}
