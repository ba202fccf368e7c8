using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActionTracker.Api.Tests;

/// <summary>A second instance of the service on the same database and clock as a fixture's.</summary>
public static class Replica
{
    public static Task<IAlbaHost> Start(ApiFixture primary, bool loops = false, bool manualClock = true, Action<IWebHostBuilder>? settings = null) =>
        ApiFixture.StartHost(primary.Database.ConnectionString, manualClock ? primary.Clock : null, builder =>
        {
            builder.UseSetting("Scheduler:Enabled", loops ? "true" : "false");
            settings?.Invoke(builder);
        });
}

public sealed class RunningReplicas(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task two_instances_on_one_database_take_each_ladder_step_and_send_each_notification_once()
    {
        await using var receiver = await WebhookReceiver.Start();
        await using var second = await Replica.Start(api);
        var team = "rep-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        Assert.True((await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, notifyUrl = $"{receiver.Url}/{team}" })).IsSuccessStatusCode);
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
            ids.Add(await lead.CreateItem(team: team, owner: "alice", priority: "critical"));
        var hosts = new IServiceProvider[] { api.Services, second.Services };

        // Both instances poll at every step of the ladder, concurrently, several times over.
        foreach (var step in new[] { TimeSpan.FromDays(5.5), TimeSpan.FromDays(2), TimeSpan.FromDays(3), TimeSpan.FromDays(4) })
        {
            api.Clock.Advance(step);
            await Task.WhenAll(hosts.SelectMany(h => Enumerable.Range(0, 3).Select(_ => Task.Run(() => h.RunDue()))));
        }

        foreach (var id in ids)
        {
            var ladder = (await (await lead.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray()
                .Select(e => e.Str("type")).Where(t => t.StartsWith("action_item_due_soon") || t.StartsWith("action_item_overdue") || t.StartsWith("action_item_escalated"));
            Assert.Equal(["action_item_due_soon", "action_item_overdue", "action_item_escalated", "action_item_escalated"], ladder);
            var sent = receiver.Bodies($"/{team}").Where(b => b.GetProperty("item").GetProperty("id").GetGuid() == id);
            Assert.Equal(["due_soon", "overdue", "escalated", "escalated"], sent.Select(b => b.Str("kind")));
        }
        Assert.Equal(ids.Count * 4, receiver.Received.Count);
    }
}

/// <summary>
/// End to end on the real clock, with the policies compressed to seconds and the background
/// loops running in two instances: nothing is driven by the test but the clock of the machine.
/// </summary>
public sealed class CompressedPoliciesFixture : ApiFixture
{
    protected override bool UsesManualClock => false;

    protected override void ConfigureSettings(IWebHostBuilder builder) => Compress(builder);

    public static void Compress(IWebHostBuilder builder)
    {
        builder.UseSetting("Policies:DueIn:Critical", "00:00:04");
        builder.UseSetting("Policies:RemindBefore", "00:00:02");
        builder.UseSetting("Policies:EscalateAfter:Level2", "00:00:02");
        builder.UseSetting("Policies:EscalateAfter:Level3", "00:00:04");
        builder.UseSetting("Policies:QuietPeriod", "00:00:01");
        builder.UseSetting("Scheduler:Enabled", "true");
        builder.UseSetting("Scheduler:PollInterval", "00:00:00.2");
    }
}

public sealed class EscalatingInRealTime(CompressedPoliciesFixture api) : IClassFixture<CompressedPoliciesFixture>
{
    [Fact]
    public async Task with_policies_of_seconds_an_item_climbs_the_whole_ladder_once_across_two_instances()
    {
        await using var receiver = await WebhookReceiver.Start();
        await using var second = await Replica.Start(api, loops: true, manualClock: false, settings: CompressedPoliciesFixture.Compress);
        _ = second.Services; // start its background loops
        var team = "rt-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        Assert.True((await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, escalationContact = "vp", notifyUrl = $"{receiver.Url}/{team}" })).IsSuccessStatusCode);
        var started = DateTimeOffset.UtcNow;

        var id = await lead.CreateItem(team: team, owner: "alice", priority: "critical");

        // Bounded wait for the last rung (due in 4 s, level 3 at 8 s); the assertions are on what happened.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (receiver.Received.Count < 4)
            await Task.Delay(100, timeout.Token);

        // Once each: four notifications received, and the ladder holds one event per rung.
        Assert.Equal(4, receiver.Bodies($"/{team}").Count(b => b.GetProperty("item").GetProperty("id").GetGuid() == id));
        Assert.Equal(4L, await api.Database.Scalar<long>(
            "select count(*) from mt_events where stream_id = $1 and type in ('action_item_due_soon', 'action_item_overdue', 'action_item_escalated')", id));
        var sent = receiver.Bodies($"/{team}");
        Assert.Equal(["due_soon", "overdue", "escalated", "escalated"], sent.Select(b => b.Str("kind")));
        Assert.Equal([0, 1, 2, 3], sent.Select(b => b.GetProperty("level").GetInt32()));
        var item = await lead.Item(id);
        Assert.Equal(3, item.GetProperty("escalationLevel").GetInt32());
        var overdueAt = (await (await lead.GetAsync($"/api/action-items/{id}/history")).Body()).GetProperty("events").EnumerateArray()
            .Single(e => e.Str("type") == "action_item_overdue").GetProperty("occurredAt").GetDateTimeOffset();
        Assert.True(overdueAt >= DateTimeOffset.Parse(item.Str("dueAt")), "never before the due date");
        Assert.True(overdueAt > started);
    }
}
