using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActionTracker.Api.Events;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

public sealed class DeliveringWebhooks(ApiFixture api) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    private readonly Cast _cast = new(api);
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.Start();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<(Guid Id, string Secret, string Path)> Subscribe(string team, string? from = null, int? batch = null)
    {
        var path = "/hook-" + Guid.NewGuid().ToString("N")[..6];
        var response = await _cast.Importer.PostAsJsonAsync("/api/subscriptions", new { url = _receiver.Url + path, teams = new[] { team }, from, batch });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Body();
        return (body.GetProperty("id").GetGuid(), body.Str("secret"), path);
    }

    /// <summary>Delivers until the receiver has <paramref name="count"/> deliveries at the path (bounded: the horizon may lag).</summary>
    private async Task<List<(JsonElement Body, Microsoft.AspNetCore.Http.IHeaderDictionary Headers, string Raw)>> Deliveries(string path, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var dispatcher = api.Services.GetRequiredService<WebhookDispatcher>();
        while (_receiver.Received.Count(r => r.Path == path) < count)
        {
            await dispatcher.DeliverDue(timeout.Token);
            api.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10, timeout.Token);
        }
        return _receiver.Received.Where(r => r.Path == path).Select(r => (r.Body, r.Headers, r.Raw)).ToList();
    }

    /// <summary>
    /// Until the team's events can be read (bounded): a delivery reads only below the event
    /// log's high-water mark, which follows a commit a moment later.
    /// </summary>
    private async Task Readable(string team)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await (await _cast.Admin.GetAsync($"/api/events?team={team}", timeout.Token)).Body()).GetProperty("events").GetArrayLength() == 0)
            await Task.Delay(20, timeout.Token);
    }

    private static void AssertSigned(string secret, Microsoft.AspNetCore.Http.IHeaderDictionary headers, string raw)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key,
            Encoding.UTF8.GetBytes($"{headers["webhook-id"]}.{headers["webhook-timestamp"]}.{raw}")));
        Assert.Equal(expected, headers["webhook-signature"].ToString());
    }

    [Fact]
    public async Task a_subscriber_receives_every_event_of_its_team_in_order_signed_per_standard_webhooks()
    {
        var team = "wh-" + Guid.NewGuid().ToString("N")[..6];
        var (_, secret, path) = await Subscribe(team);
        var lead = api.As("lead-" + team, [team], "lead");
        var id = await lead.CreateItem(team: team, owner: "ann");
        await lead.Post($"/api/action-items/{id}/status", new { status = "in_progress" });
        await lead.Post($"/api/action-items/{id}/comments", new { text = "Half way." });
        await api.As("other", ["elsewhere"], "lead").CreateItem(team: "elsewhere", owner: "zed");

        var got = await Deliveries(path, 3);

        Assert.Equal(["actiontracker.item.created.v1", "actiontracker.item.status_changed.v1", "actiontracker.item.commented.v1"],
            got.Select(d => d.Body.Str("type")));
        Assert.All(got, d => AssertSigned(secret, d.Headers, d.Raw));
        Assert.All(got, d => Assert.Equal(d.Body.Str("id"), d.Headers["webhook-id"].ToString()));
        var status = await (await _cast.Admin.GetAsync("/api/subscriptions")).Body();
        var mine = status.GetProperty("subscriptions").EnumerateArray().Single(s => s.Str("url").EndsWith(path, StringComparison.Ordinal));
        Assert.Equal(3, mine.GetProperty("delivered").GetInt64());
        Assert.False(mine.TryGetProperty("secret", out _));
    }

    [Fact]
    public async Task a_batching_subscriber_receives_its_events_in_order_as_signed_cloudevents_batches()
    {
        var team = "wh-" + Guid.NewGuid().ToString("N")[..6];
        var (_, secret, path) = await Subscribe(team, batch: 4);
        var lead = api.As("lead-" + team, [team], "lead");
        var id = await lead.CreateItem(team: team, owner: "ann");
        for (var i = 0; i < 9; i++)
            await lead.Post($"/api/action-items/{id}/comments", new { text = $"Note {i}" });

        // Ten events: calls of at most four, however the horizon splits them.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var dispatcher = api.Services.GetRequiredService<WebhookDispatcher>();
        while (_receiver.Received.Where(r => r.Path == path).Sum(r => r.Body.GetArrayLength()) < 10)
        {
            await dispatcher.DeliverDue(timeout.Token);
            await Task.Delay(10, timeout.Token);
        }
        var calls = _receiver.Received.Where(r => r.Path == path).ToList();

        Assert.All(calls, c =>
        {
            Assert.InRange(c.Body.GetArrayLength(), 1, 4);
            Assert.StartsWith("application/cloudevents-batch+json", c.Headers.ContentType.ToString());
            AssertSigned(secret, c.Headers, c.Raw);
        });
        var events = calls.SelectMany(c => c.Body.EnumerateArray()).ToList();
        Assert.Equal(["actiontracker.item.created.v1", .. Enumerable.Repeat("actiontracker.item.commented.v1", 9)], events.Select(e => e.Str("type")));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"Note {i}"), events.Skip(1).Select(e => e.GetProperty("data").Str("text")));
        Assert.Equal(calls.Count, calls.Select(c => c.Headers["webhook-id"].ToString()).Distinct().Count());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task a_batch_size_out_of_range_is_refused(int batch)
    {
        var response = await _cast.Importer.PostAsJsonAsync("/api/subscriptions", new { url = _receiver.Url + "/hook", batch });

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("batch", out _));
    }

    [Fact]
    public async Task a_failing_receiver_is_retried_with_backoff_and_recovers_without_losing_order()
    {
        var team = "wh-" + Guid.NewGuid().ToString("N")[..6];
        var (id, secret, path) = await Subscribe(team);
        var lead = api.As("lead-" + team, [team], "lead");
        var item = await lead.CreateItem(team: team, owner: "ann");
        await lead.Post($"/api/action-items/{item}/comments", new { text = "one" });
        _receiver.FailNext(3);

        var got = await Deliveries(path, 2);

        Assert.Equal(["actiontracker.item.created.v1", "actiontracker.item.commented.v1"], got.Select(d => d.Body.Str("type")));
        Assert.All(got, d => AssertSigned(secret, d.Headers, d.Raw));
        var status = await (await _cast.Admin.GetAsync($"/api/subscriptions/{id}")).Body();
        Assert.Equal("active", status.Str("state"));
        Assert.Equal(0, status.GetProperty("failures").GetInt32());
    }

    [Fact]
    public async Task after_a_day_of_failures_the_subscription_is_disabled_and_a_replay_starts_it_again()
    {
        var team = "wh-" + Guid.NewGuid().ToString("N")[..6];
        var (id, _, path) = await Subscribe(team);
        var lead = api.As("lead-" + team, [team], "lead");
        await lead.CreateItem(team: team, owner: "ann");
        await Readable(team);
        _receiver.FailNext(1_000_000);
        var dispatcher = api.Services.GetRequiredService<WebhookDispatcher>();
        for (var hour = 0; hour < 30; hour++)
        {
            await dispatcher.DeliverDue();
            api.Clock.Advance(TimeSpan.FromHours(1));
        }
        var status = await (await _cast.Admin.GetAsync($"/api/subscriptions/{id}")).Body();
        Assert.Equal("disabled", status.Str("state"));
        Assert.Contains("503", status.Str("lastError"));
        Assert.DoesNotContain(_receiver.Received, r => r.Path == path);

        _receiver.FailNext(0);
        var replay = await _cast.Importer.PostAsJsonAsync($"/api/subscriptions/{id}/replay", new { from = "start" });
        Assert.Equal("active", (await replay.Body()).Str("state"));
        var got = await Deliveries(path, 1);
        Assert.Equal("actiontracker.item.created.v1", got[0].Body.Str("type"));
    }

    [Fact]
    public async Task a_replay_made_while_a_delivery_is_under_way_is_not_undone_by_it()
    {
        var team = "wh-" + Guid.NewGuid().ToString("N")[..6];
        var (id, _, path) = await Subscribe(team);
        var lead = api.As("lead-" + team, [team], "lead");
        var item = await lead.CreateItem(team: team, owner: "ann");
        await lead.Post($"/api/action-items/{item}/comments", new { text = "Started." });
        await Deliveries(path, 2);
        await lead.Post($"/api/action-items/{item}/comments", new { text = "Half way." });
        var (arrived, release) = _receiver.HoldNext();
        var dispatcher = api.Services.GetRequiredService<WebhookDispatcher>();
        Task delivering;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // Until the call is made (the event may not be below the read horizon at once).
            while (true)
            {
                delivering = dispatcher.DeliverDue(CancellationToken.None);
                if (await Task.WhenAny(arrived, delivering) == arrived)
                    break;
                await delivering;
                api.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(10, timeout.Token);
            }
        }

        var replay = await _cast.Importer.PostAsJsonAsync($"/api/subscriptions/{id}/replay", new { from = "start" });
        var replayedFrom = (await replay.Body()).Str("position");
        release();
        await delivering;

        var status = await (await _cast.Importer.GetAsync($"/api/subscriptions/{id}")).Body();
        Assert.Equal(replayedFrom, status.Str("position"));
        var again = await Deliveries(path, 6);
        Assert.Equal(["Started.", "Half way."], again.Skip(3).Where(d => d.Body.Str("type") == "actiontracker.item.commented.v1")
            .Select(d => d.Body.GetProperty("data").Str("text")).Take(2));
    }

    [Fact]
    public async Task only_admins_and_services_subscribe_and_bad_subscriptions_are_400s()
    {
        await (await _cast.Lena.PostAsJsonAsync("/api/subscriptions", new { url = _receiver.Url })).AssertProblem(HttpStatusCode.Forbidden);
        await (await _cast.Importer.PostAsJsonAsync("/api/subscriptions", new { url = "ftp://x" })).AssertProblem(HttpStatusCode.BadRequest);
        await (await _cast.Importer.PostAsJsonAsync("/api/subscriptions", new { url = _receiver.Url, types = new[] { "item.deleted" } })).AssertProblem(HttpStatusCode.BadRequest);
        await (await _cast.Importer.PostAsJsonAsync("/api/subscriptions", new { url = _receiver.Url, from = "yesterday" })).AssertProblem(HttpStatusCode.BadRequest);
        await (await _cast.Admin.DeleteAsync($"/api/subscriptions/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound);
    }
}
