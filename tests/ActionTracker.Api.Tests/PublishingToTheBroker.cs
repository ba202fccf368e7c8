using System.Net;
using System.Text;
using System.Text.Json;
using ActionTracker.Api.Events;
using ActionTracker.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace ActionTracker.Api.Tests;

/// <summary>The service with <c>RabbitMq:Uri</c> pointing at a RabbitMQ node of its own; tests drive the relay.</summary>
public class BrokerFixture : ApiFixture
{
    public RabbitBroker Broker { get; } = new();

    public const string Exchange = "action-tracker.events";

    public override async ValueTask InitializeAsync()
    {
        await Broker.Start();
        await base.InitializeAsync();
    }

    /// <summary>Starts the host without starting the broker first.</summary>
    protected Task InitializeHost() => base.InitializeAsync().AsTask();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Broker.DisposeAsync();
    }

    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("RabbitMq:Uri", Broker.Uri);
        builder.UseSetting("RabbitMq:Enabled", "false");
    }

    /// <summary>A durable queue bound to the exchange with <paramref name="key"/>, as a consuming service would declare it.</summary>
    public async Task<string> BindQueue(string key)
    {
        await using var connection = await Connect();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = "test-" + Guid.NewGuid().ToString("N")[..8];
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, Exchange, key);
        return queue;
    }

    /// <summary>Takes every message waiting in the queue.</summary>
    public async Task<List<BrokerMessage>> Drain(string queue)
    {
        await using var connection = await Connect();
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<BrokerMessage>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            using var body = JsonDocument.Parse(got.Body);
            messages.Add(new BrokerMessage(got.RoutingKey, got.BasicProperties.MessageId!, got.BasicProperties.ContentType,
                got.BasicProperties.Persistent, got.BasicProperties.Headers?.TryGetValue("traceparent", out var tp) == true ? Encoding.UTF8.GetString((byte[])tp!) : null,
                body.RootElement.Clone()));
        }
        return messages;
    }

    public async Task<uint> Waiting(string queue)
    {
        await using var connection = await Connect();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    private Task<IConnection> Connect() => new ConnectionFactory { Uri = new Uri(Broker.Uri) }.CreateConnectionAsync();

    /// <summary>
    /// The feed's events that <paramref name="mine"/> picks, from the start, once there are at
    /// least <paramref name="atLeast"/> (bounded wait: other tests' transactions can hold the horizon).
    /// </summary>
    public async Task<List<JsonElement>> Feed(HttpClient admin, Func<JsonElement, bool> mine, int atLeast)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<JsonElement>();
        var after = "";
        while (true)
        {
            var page = await (await admin.GetAsync($"/api/events?limit=1000&after={after}", timeout.Token)).Body();
            var events = page.GetProperty("events").EnumerateArray().ToList();
            seen.AddRange(events.Where(mine));
            after = page.Str("next");
            if (events.Count == 0 && seen.Count >= atLeast)
                return seen;
            if (events.Count == 0)
                await Task.Delay(20, timeout.Token);
        }
    }
}

public sealed record BrokerMessage(string RoutingKey, string MessageId, string? ContentType, bool Persistent, string? Traceparent, JsonElement Body);

public sealed class PublishingToTheBroker(BrokerFixture api) : IClassFixture<BrokerFixture>
{
    private readonly Cast _cast = new(api);

    private BrokerRelay Relay => api.Services.GetRequiredService<BrokerRelay>();

    /// <summary>
    /// One round of the relay, as its loop runs it: a failure (the transport still reconnecting
    /// after a broker restart) is tried again next round.
    /// </summary>
    private async Task PublishRound(CancellationToken ct)
    {
        try
        {
            await Relay.PublishPending(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            await Task.Delay(100, ct);
        }
    }

    [Fact]
    public async Task a_bound_queue_gets_every_event_each_items_in_commit_order_as_persistent_cloudevents_routed_by_type()
    {
        var all = await api.BindQueue("#");
        var statusOnly = await api.BindQueue("actiontracker.item.status_changed.v1");
        var first = await _cast.Alice.CreateItem();
        var second = await _cast.Bob.CreateItem(owner: "bob");
        Assert.Equal(HttpStatusCode.OK, (await _cast.Alice.Post($"/api/action-items/{first}/status", new { status = "in_progress" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _cast.Bob.Post($"/api/action-items/{second}/comments", new { text = "Started on the runbook." })).StatusCode);
        var ours = new[] { first.ToString(), second.ToString() };
        var feed = await api.Feed(_cast.Admin, e => ours.Contains(e.Str("subject")), atLeast: 4);

        var messages = new List<BrokerMessage>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (messages.Count < feed.Count)
        {
            await PublishRound(timeout.Token);
            messages.AddRange((await api.Drain(all)).Where(m => ours.Contains(m.Body.Str("subject"))));
        }

        Assert.Equal(feed.Select(e => e.Str("id")).Order(), messages.Select(m => m.MessageId).Order());
        foreach (var item in ours)
        {
            var sent = messages.Where(m => m.Body.Str("subject") == item).ToList();
            var logged = feed.Where(e => e.Str("subject") == item).ToList();
            Assert.Equal(logged.Select(e => e.Str("id")), sent.Select(m => m.MessageId));
            Assert.Equal(logged.Select(e => e.Str("type")), sent.Select(m => m.RoutingKey));
            Assert.Equal(logged.Select(e => e.ToString()), sent.Select(m => m.Body.ToString()));
        }
        Assert.All(messages, m =>
        {
            Assert.True(m.Persistent);
            Assert.StartsWith("application/cloudevents+json", m.ContentType);
        });
        Assert.NotNull(messages.Single(m => m.RoutingKey == "actiontracker.item.status_changed.v1").Traceparent);
        var statusChange = Assert.Single(await api.Drain(statusOnly));
        Assert.Equal(first.ToString(), statusChange.Body.Str("subject"));
    }

    [Fact]
    public async Task publishing_again_sends_nothing_twice()
    {
        var queue = await api.BindQueue("actiontracker.item.created.v1");
        var id = await _cast.Alice.CreateItem();
        await api.Feed(_cast.Admin, e => e.Str("subject") == id.ToString(), atLeast: 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await api.Drain(queue)) is var got && !got.Any(m => m.Body.Str("subject") == id.ToString()))
        {
            await PublishRound(timeout.Token);
            await Task.Delay(20, timeout.Token);
        }

        Assert.Equal(0, await Relay.PublishPending());

        Assert.Empty(await api.Drain(queue));
    }

    [Fact]
    public async Task while_the_broker_is_down_nothing_moves_and_everything_goes_out_when_it_is_back()
    {
        var queue = await api.BindQueue("actiontracker.item.commented.v1");
        var id = await _cast.Alice.CreateItem();
        await api.Broker.Stop();
        try
        {
            for (var i = 0; i < 5; i++)
                Assert.Equal(HttpStatusCode.Created, (await _cast.Alice.Post($"/api/action-items/{id}/comments", new { text = $"Note {i}" })).StatusCode);
            await api.Feed(_cast.Admin, e => e.Str("subject") == id.ToString(), atLeast: 6);

            await Assert.ThrowsAnyAsync<Exception>(() => Relay.PublishPending());
        }
        finally
        {
            await api.Broker.Start();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<BrokerMessage>();
        while (received.Count(m => m.Body.Str("subject") == id.ToString()) < 5)
        {
            await PublishRound(timeout.Token);
            await Task.Delay(20, timeout.Token);
            received.AddRange(await api.Drain(queue));
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Note {i}"),
            received.Where(m => m.Body.Str("subject") == id.ToString()).Select(m => m.Body.GetProperty("data").Str("text")));
    }
}

/// <summary>The relay running on its own, on the real clock, with short pauses and backoff.</summary>
public sealed class RunningBrokerFixture : BrokerFixture
{
    protected override bool UsesManualClock => false;

    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        base.ConfigureSettings(builder);
        builder.UseSetting("RabbitMq:Enabled", "true");
        builder.UseSetting("RabbitMq:PollInterval", "00:00:00.050");
        builder.UseSetting("RabbitMq:FirstBackoff", "00:00:00.100");
        builder.UseSetting("RabbitMq:MaxBackoff", "00:00:01");
    }
}

public sealed class RestartingTheBroker(RunningBrokerFixture api) : IClassFixture<RunningBrokerFixture>
{
    private const int Writers = 8, CommentsEach = 40;

    [Fact]
    public async Task a_broker_restart_in_the_middle_of_a_burst_loses_nothing_and_keeps_each_items_order()
    {
        var queue = await api.BindQueue("actiontracker.item.commented.v1");
        var alice = api.As("alice", ["platform"], "member");
        var items = new List<Guid>();
        for (var i = 0; i < 4; i++)
            items.Add(await alice.CreateItem());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var brokerDown = new TaskCompletionSource();

        // Half of each writer's comments before the broker goes down, half while it is down.
        var burst = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var client = api.As($"writer-{w}", ["platform"], "member");
            for (var i = 0; i < CommentsEach; i++)
            {
                if (i == CommentsEach / 2)
                    await brokerDown.Task;
                var response = await client.Post($"/api/action-items/{items[(w + i) % items.Count]}/comments", new { text = $"w{w}-{i}" });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        })));
        while (await api.Waiting(queue) < 20)
            await Task.Delay(20, timeout.Token);
        await api.Broker.Stop();
        brokerDown.SetResult();
        while (await api.Database.Scalar<long>("select count(*) from broker_relays where last_error is not null") == 0)
            await Task.Delay(20, timeout.Token);
        var publishedWhileDown = await api.Database.Scalar<long>("select published from broker_relays");
        await burst;
        await api.Broker.Start();

        var received = new List<BrokerMessage>();
        var ours = items.Select(i => i.ToString()).ToHashSet();
        while (received.Where(m => ours.Contains(m.Body.Str("subject"))).Select(m => m.MessageId).Distinct().Count() < Writers * CommentsEach)
        {
            received.AddRange(await api.Drain(queue));
            await Task.Delay(50, timeout.Token);
        }

        var feed = await api.Feed(api.As("root", [], "admin"),
            e => e.Str("type") == "actiontracker.item.commented.v1" && ours.Contains(e.Str("subject")), atLeast: Writers * CommentsEach);
        var firstCopies = received.DistinctBy(m => m.MessageId).ToList();
        Assert.InRange(publishedWhileDown, 1, feed.Count - 1);
        Assert.Equal(feed.Select(e => e.Str("id")).Order(), firstCopies.Select(m => m.MessageId).Order());
        foreach (var item in ours)
            Assert.Equal(
                feed.Where(e => e.Str("subject") == item).Select(e => e.GetProperty("data").Str("text")),
                firstCopies.Where(m => m.Body.Str("subject") == item).Select(m => m.Body.GetProperty("data").Str("text")));
    }
}

/// <summary>The service started while its broker is down (the broker comes up during the test).</summary>
public sealed class LateBrokerFixture : BrokerFixture
{
    public override async ValueTask InitializeAsync()
    {
        // Started once and stopped, so that starting it again during the test keeps its port.
        await Broker.Start();
        await Broker.Stop();
        await InitializeHost();
    }

    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        base.ConfigureSettings(builder);
        builder.UseSetting("RabbitMq:StartupTimeout", "00:00:00.5");
    }
}

public sealed class StartingWithoutTheBroker(LateBrokerFixture api) : IClassFixture<LateBrokerFixture>
{
    [Fact]
    public async Task the_service_starts_and_takes_writes_while_the_broker_is_down_and_publishes_once_it_is_up()
    {
        var alice = api.As("alice", ["platform"], "member");
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/health/ready")).StatusCode);
        var id = await alice.CreateItem();
        await api.Feed(api.As("root", [], "admin"), e => e.Str("subject") == id.ToString(), atLeast: 1);
        var relay = api.Services.GetRequiredService<BrokerRelay>();
        await Assert.ThrowsAnyAsync<Exception>(() => relay.PublishPending());
        Assert.Equal(0L, await api.Database.Scalar<long>("select coalesce(sum(published), 0)::bigint from broker_relays"));

        await api.Broker.Start();
        var queue = await api.BindQueue("actiontracker.item.created.v1");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<BrokerMessage>();
        while (!received.Any(m => m.Body.Str("subject") == id.ToString()))
        {
            try
            {
                await relay.PublishPending(timeout.Token);
            }
            catch (Exception) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token); // still connecting
            }
            received.AddRange(await api.Drain(queue));
        }
    }
}
