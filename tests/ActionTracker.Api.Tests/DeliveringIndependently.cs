using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace ActionTracker.Api.Tests;

/// <summary>
/// The webhook loop running on the test's clock with one place in each lane (a healthy
/// subscription's, a failing one's), and two subscriptions per caller.
/// </summary>
public sealed class WebhookLanesFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("Webhooks:Enabled", "true");
        builder.UseSetting("Webhooks:ConcurrentSubscriptions", "1");
        builder.UseSetting("Webhooks:ConcurrentFailing", "1");
        builder.UseSetting("Webhooks:FirstBackoff", "00:00:01");
        builder.UseSetting("Webhooks:MaxPerCaller", "2");
    }
}

/// <summary>Each subscription is delivered on its own: a slow or failing receiver holds back no other (issue 32.4).</summary>
public sealed class DeliveringIndependently(WebhookLanesFixture api) : IClassFixture<WebhookLanesFixture>
{
    /// <summary>Moves the clock a poll at a time until the condition holds (bounded): the loop polls on the test's clock.</summary>
    private async Task Until(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, $"never: {what}");
            api.Clock.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private static async Task Subscribe(HttpClient service, string url, string team)
    {
        var response = await service.PostAsJsonAsync("/api/subscriptions", new { url, teams = new[] { team } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task a_receiver_that_failed_and_now_hangs_is_probed_apart_and_the_healthy_subscription_keeps_receiving()
    {
        await using var slow = await WebhookReceiver.Start();
        await using var healthy = await WebhookReceiver.Start();
        var team = "lanes-" + Guid.NewGuid().ToString("N")[..6];
        await Subscribe(api.As("svc-slow", [], "service"), slow.Url + "/slow", team);
        await Subscribe(api.As("svc-healthy", [], "service"), healthy.Url + "/healthy", team);
        var lead = api.As("lead-" + team, [team], "lead");
        slow.FailNext(1);

        var item = await lead.CreateItem(team: team, owner: "ann");
        await Until(() => slow.Refused == 1, "the first event refused by the slow receiver");
        // Before the clock reaches the end of its backoff: its next call, the probe, hangs.
        var (arrived, release) = slow.HoldNext();
        await Until(() => healthy.Bodies("/healthy").Count == 1, "the first event delivered to the healthy receiver");
        await Until(() => arrived.IsCompleted, "the failing subscription probed again after its backoff");

        // The probe hangs in the failing lane; the healthy lane's one place is the healthy subscription's.
        await lead.Post($"/api/action-items/{item}/comments", new { text = "While the other receiver hangs." });
        await Until(() => healthy.Bodies("/healthy").Count == 2, "the healthy subscription's second event while the slow one hangs");

        release();
        await Until(() => slow.Bodies("/slow").Count == 2, "the slow subscription catching up once its receiver answers");
        Assert.Equal(["actiontracker.item.created.v1", "actiontracker.item.commented.v1"], slow.Bodies("/slow").Select(b => b.Str("type")));
    }

    [Fact]
    public async Task a_caller_has_at_most_its_share_of_subscriptions_and_the_one_over_it_writes_nothing()
    {
        var service = api.As("svc-many", [], "service");
        await Subscribe(service, "http://127.0.0.1:9/one", "platform");
        await Subscribe(service, "http://127.0.0.1:9/two", "platform");

        var third = await service.PostAsJsonAsync("/api/subscriptions", new { url = "http://127.0.0.1:9/three" });

        Assert.Contains("the most one caller may have (2)", (await third.AssertProblem(HttpStatusCode.Conflict)).Str("detail"));
        Assert.Equal(2L, await api.Database.Scalar<long>("select count(*) from subscriptions where created_by = 'svc-many'"));
        await Subscribe(api.As("svc-other", [], "service"), "http://127.0.0.1:9/other", "platform");
    }
}
