using System.Diagnostics;
using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Infrastructure.Schema;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;
using Wolverine.RabbitMQ;
using Wolverine.Runtime;
using Wolverine.Configuration;
using Wolverine.RabbitMQ.Internal;
using Wolverine.Transports.Sending;

namespace ActionTracker.Api.Events;

public sealed class RabbitMqOptions
{
    /// <summary>AMQP URI of the broker; unset, nothing is published.</summary>
    public string? Uri { get; set; }

    /// <summary>Topic exchange every event goes to, with its type as routing key.</summary>
    public string Exchange { get; set; } = "action-tracker.events";

    /// <summary>Run the relay on this replica (a lease keeps one replica publishing at a time).</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    public int BatchSize { get; set; } = 500;
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest wait for the broker to confirm a batch before it counts as failed. Never more than
    /// half the lease (<see cref="EffectiveConfirmTimeout"/>): a batch still unconfirmed when the
    /// lease ran out could be published by another replica at the same time, out of order.
    /// </summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long start-up tries to reach the broker before it goes on without it.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan EffectiveConfirmTimeout => ConfirmTimeout < Lease / 2 ? ConfirmTimeout : Lease / 2;
}

public sealed class BrokerSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("broker", 1, "broker relay position",
            """
            -- The events table is the outbox: the relay reads it over the horizon like any reader
            -- and moves this position only after the broker confirmed everything before it.
            create table broker_relays (
                name text primary key,
                tx_id xid8 not null,
                seq bigint not null,
                locked_by uuid,
                locked_until timestamptz,
                published bigint not null default 0,
                last_success_at timestamptz,
                failing_since timestamptz,
                last_error text);
            """),
        new("broker", 2, "relay position over the event log",
            """
            -- The relay reads Marten's log now: its position is an epoch and mt_events.seq_id. The
            -- old (tx_id, seq) pair means nothing there, so the relay starts again from the
            -- beginning (publishing is at least once; consumers deduplicate on message_id).
            alter table broker_relays drop column tx_id, add column epoch bigint not null default 0;
            update broker_relays set seq = 0;
            """),
    ];
}

/// <summary>
/// Publishes every event, each item's in order, to a RabbitMQ topic exchange (routing key = type) as a
/// persistent CloudEvents message, through WolverineFx.RabbitMQ's sender for the exchange (its
/// connection, recovery, declaration and publisher confirms). The position moves only after the
/// broker confirmed a whole batch, so a broker outage or a crash loses nothing: the batch is sent
/// again (at least once; consumers deduplicate on the message id, the CloudEvents id). One
/// replica at a time holds the lease, which keeps each item's events in commit order.
/// </summary>
/// <remarks>
/// Why not Wolverine's outbox or its inline sending agent: the durable outbox delivered part of a
/// backlog out of order after an outage (the spike of DESIGN.md), and the inline agent hands a
/// failed send to a background retry block and returns as if it had succeeded, which would move
/// the position past an unconfirmed event. The relay awaits the sender itself, so a failure
/// stops it where it is.
/// </remarks>
public sealed partial class BrokerRelay(
    NpgsqlDataSource db,
    EventFeed feed,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    RabbitMqOptions options,
    IWolverineRuntime runtime,
    ServiceMetrics metrics,
    TimeProvider time,
    ILogger<BrokerRelay> logger) : IAsyncDisposable
{
    private const string RelayName = "rabbitmq";
    private const string ContentType = "application/cloudevents+json; charset=utf-8";
    private static readonly EventFilter Everything = new(null, null);

    private readonly Guid _replica = Guid.NewGuid();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Publishes what the broker has not confirmed yet, one batch; returns how many events were published.</summary>
    public async Task<int> PublishPending(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (await Claim(ct) is not { } cursor)
                return 0; // another replica holds the lease
            var (events, next) = await feed.Read(cursor, options.BatchSize, Everything, ct);
            if (events.Count > 0)
            {
                try
                {
                    await Publish(events, ct);
                    metrics.Delivered("broker", ok: true, events.Count);
                }
                catch (Exception error) when (!ct.IsCancellationRequested)
                {
                    metrics.Delivered("broker", ok: false, events.Count);
                    await Failed(error.Message);
                    throw;
                }
            }
            await Advance(cursor, next, events.Count);
            return events.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<LogPosition?> Claim(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("insert into broker_relays (name, epoch, seq) values ($1, 0, 0) on conflict do nothing")
        {
            Parameters = { new() { Value = RelayName } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            update broker_relays set locked_by = $2, locked_until = $4
             where name = $1 and (locked_by = $2 or locked_until is null or locked_until < $3)
            returning epoch, seq
            """)
        {
            Parameters = { new() { Value = RelayName }, new() { Value = _replica }, new() { Value = now }, new() { Value = now + options.Lease } },
        });
        // The insert returns no rows, so the reader starts on the update's.
        await using var reader = await batch.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new LogPosition(reader.GetInt64(0), reader.GetInt64(1))
            : null;
    }

    private async Task Publish(List<CloudEvent> events, CancellationToken ct)
    {
        await Connect();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.EffectiveConfirmTimeout);
        // Each send returns once the broker confirmed the message (it throws if the broker nacks
        // or the channel closes). An item's events go one after another: the next is sent only
        // after the last was confirmed, so a reconnect in the middle of a batch (a later event on
        // the new channel while an earlier one was lost with the old) cannot put an item's events
        // out of order; a failure stops that item's chain, and the whole batch goes again. Items
        // go side by side, which is what keeps up with the write rate.
        var chains = events.GroupBy(e => e.Subject).Select(async chain =>
        {
            foreach (var e in chain)
                await Send(e);
        });
        await Task.WhenAll(chains).WaitAsync(timeout.Token);
    }

    private async Task Send(CloudEvent e)
    {
        using var activity = Telemetry.Source.StartActivity("broker publish", ActivityKind.Producer,
            ActivityContext.TryParse(e.Traceparent, null, out var cause) ? cause : default);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", options.Exchange);
        activity?.SetTag("cloudevents.event_id", e.Id);
        var envelope = new Envelope
        {
            Id = Guid.Parse(e.Id),
            MessageType = e.Type,
            ContentType = ContentType,
            Data = JsonSerializer.SerializeToUtf8Bytes(e, json.Value.SerializerOptions),
            SentAt = e.Time,
        };
        envelope.Headers["position"] = e.Position;
        if ((activity is not null ? activity.Id : e.Traceparent) is { } traceparent)
            envelope.Headers["traceparent"] = traceparent;
        await Sender(e.Type).SendAsync(envelope);
    }

    /// <summary>
    /// A broker that was down when the service started left the transport without a connection
    /// (Wolverine goes on without it): connect it now. Afterwards the transport recovers lost
    /// connections itself.
    /// </summary>
    private async Task Connect()
    {
        var transport = runtime.Options.Transports.GetOrCreate<RabbitMqTransport>();
        if (transport.LastSuccessfulConnectionAt == default)
            await transport.InitializeAsync(runtime);
    }

    /// <summary>
    /// The transport's sender for one event type: a topic endpoint of the exchange, whose routing
    /// key is the type; durable, so the messages are persistent. Built on first use, not declared
    /// up front: Wolverine routes every message type to an exchange set to route by topic.
    /// </summary>
    private ISender Sender(string type)
    {
        var agent = runtime.Endpoints.GetOrBuildSendingAgent(new Uri($"rabbitmq://topic/{options.Exchange}/{type}"), e => e.Mode = EndpointMode.Durable);
        return agent switch
        {
            SendingAgent a => a.Sender,
            InlineSendingAgent a => a.Sender,
            _ => throw new InvalidOperationException($"No sender behind {agent.GetType().Name} for {agent.Destination}."),
        };
    }

    private async Task Advance(LogPosition from, LogPosition to, int published)
    {
        var now = time.GetUtcNow();
        await using var update = db.CreateCommand(
            """
            update broker_relays set epoch = $3, seq = $4, published = published + $5, locked_until = $6,
                   last_success_at = case when $5 > 0 then $7 else last_success_at end, failing_since = null, last_error = null
             where name = $1 and locked_by = $2
            """);
        update.Parameters.Add(new() { Value = RelayName });
        update.Parameters.Add(new() { Value = _replica });
        update.Parameters.Add(new() { Value = to.Epoch });
        update.Parameters.Add(new() { Value = to.Sequence });
        update.Parameters.Add(new() { Value = (long)published });
        update.Parameters.Add(new() { Value = now + options.Lease });
        update.Parameters.Add(new() { Value = now });
        if (await update.ExecuteNonQueryAsync(CancellationToken.None) == 0)
            LogLeaseLost(from.ToString());
    }

    private async Task Failed(string error)
    {
        await using var update = db.CreateCommand(
            "update broker_relays set failing_since = coalesce(failing_since, $3), last_error = $4 where name = $1 and locked_by = $2");
        update.Parameters.Add(new() { Value = RelayName });
        update.Parameters.Add(new() { Value = _replica });
        update.Parameters.Add(new() { Value = time.GetUtcNow() });
        update.Parameters.Add(new() { Value = error.Length > 1000 ? error[..1000] : error });
        await update.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public ValueTask DisposeAsync()
    {
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker relay lease moved to another replica while publishing from {Position}; that replica sends the batch again")]
    private partial void LogLeaseLost(string position);
}

/// <summary>Runs the broker relay: at once while there is more, then every poll interval; backs off while the broker is down.</summary>
public sealed partial class BrokerLoop(BrokerRelay relay, RabbitMqOptions options, TimeProvider time, ILogger<BrokerLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!options.Enabled || string.IsNullOrEmpty(options.Uri))
            return;
        await Task.Yield();
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                // A batch in flight finishes on shutdown (bounded by the confirm timeout).
                var published = await relay.PublishPending(CancellationToken.None);
                failures = 0;
                if (published > 0)
                    continue;
                wait = options.PollInterval;
            }
            catch (Exception error) when (!ct.IsCancellationRequested)
            {
                failures++;
                var backoff = Math.Min(options.MaxBackoff.TotalMilliseconds, options.FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
                wait = TimeSpan.FromMilliseconds(backoff * (0.8 + Random.Shared.NextDouble() * 0.4));
                LogFailed(error, failures, wait);
            }
            try
            {
                await Task.Delay(wait, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to the broker failed ({Failures} in a row); retrying in {Wait}")]
    private partial void LogFailed(Exception error, int failures, TimeSpan wait);
}

public static class BrokerModule
{
    /// <summary>
    /// WolverineFx.RabbitMQ's transport, when <c>RabbitMq:Uri</c> is set: the exchange (topic,
    /// durable, declared by Wolverine) and its persistent sender, with publisher confirms awaited.
    /// </summary>
    private static void UseBroker(WolverineOptions opts, IConfiguration configuration)
    {
        var options = configuration.GetSection("RabbitMq").Get<RabbitMqOptions>() ?? new();
        if (string.IsNullOrEmpty(options.Uri))
            return;
        // A broker that is down must not stop the service: start without it (after a short try)
        // and let the relay, which waits at its position, find it when it comes back.
        opts.BrokerInitializationTimeout = options.StartupTimeout;
        opts.ResourceMigrationFailureMode = JasperFx.ResourceMigrationFailureMode.ContinueOnFailures;
        opts.UseRabbitMq(new Uri(options.Uri))
            .AutoProvision()
            .DeclareExchange(options.Exchange, e => e.ExchangeType = ExchangeType.Topic)
            // The service only publishes: one connection, no reply queue, no dead-letter queue.
            .UseSenderConnectionOnly()
            .DisableSystemRequestReplyQueueDeclaration()
            .DisableDeadLetterQueueing()
            .ConfigureChannelCreation(c =>
            {
                c.PublisherConfirmationsEnabled = true;
                c.PublisherConfirmationTrackingEnabled = true;
            });
    }

    /// <summary>The RabbitMQ relay, when <c>RabbitMq:Uri</c> is set.</summary>
    public static IServiceCollection AddBroker(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RabbitMqOptions();
        configuration.GetSection("RabbitMq").Bind(options);
        services.AddSingleton(options);
        services.AddMigrations<BrokerSchema>();
        services.AddSingleton<BrokerRelay>();
        services.AddHostedService<BrokerLoop>();
        services.ConfigureWolverine(opts => UseBroker(opts, configuration));
        return services;
    }
}
