using System.Net;
using System.Net.Http.Json;
using ActionTracker.Api.Events;

namespace ActionTracker.Api.Tests;

/// <summary>Team notifications are signed with the team's own secret and safe to post into a chat.</summary>
public sealed class SigningTeamNotifications(ApiFixture api) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.Start();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    private static bool Verifies(string secret, (string Path, System.Text.Json.JsonElement Body, Microsoft.AspNetCore.Http.IHeaderDictionary Headers, string Raw) call) =>
        call.Headers["webhook-signature"].ToString() ==
        WebhookSignature.Sign(secret, call.Headers["webhook-id"].ToString(), long.Parse(call.Headers["webhook-timestamp"].ToString()), call.Raw);

    [Fact]
    public async Task the_secret_is_shown_once_signs_every_notification_and_a_rotation_replaces_it()
    {
        var team = "sig-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        var first = await (await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, notifyUrl = $"{_receiver.Url}/{team}" })).Body();
        var secret = first.Str("notifySecret");
        var again = await (await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, notifyUrl = $"{_receiver.Url}/{team}" })).Body();
        Assert.False(again.TryGetProperty("notifySecret", out _));
        Assert.False((await (await lead.GetAsync($"/api/teams/{team}")).Body()).TryGetProperty("notifySecret", out _));

        await lead.CreateItem(team: team, owner: "alice", priority: "critical", title: "Stop <!channel> pings & <http://evil.example|safe link> tricks");
        api.Clock.Advance(TimeSpan.FromDays(5.5));
        await api.Services.RunDue();

        var call = Assert.Single(_receiver.Received, r => r.Path == $"/{team}");
        Assert.True(Verifies(secret, call), "signed with the team's secret");
        var text = call.Body.Str("text");
        Assert.Contains("Stop &lt;!channel&gt; pings &amp; &lt;http://evil.example|safe link&gt; tricks", text);
        Assert.DoesNotContain("<!channel>", text);

        var rotated = (await (await lead.PostAsync($"/api/teams/{team}/notify-secret", null)).Body()).Str("notifySecret");
        Assert.NotEqual(secret, rotated);
        await lead.CreateItem(team: team, owner: "alice", priority: "critical", title: "Second item for the rotated key");
        api.Clock.Advance(TimeSpan.FromDays(5.5));
        await api.Services.RunDue();
        var second = _receiver.Received.Where(r => r.Path == $"/{team}").Last();
        Assert.True(Verifies(rotated, second) && !Verifies(secret, second), "signed with the new secret only");
        await (await api.As("bob", [team], "member").PostAsync($"/api/teams/{team}/notify-secret", null)).AssertProblem(HttpStatusCode.Forbidden);
    }
}
