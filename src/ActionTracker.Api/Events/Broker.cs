using System.Diagnostics;
using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Schema;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;

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
/// Publishes every event, in order, to a RabbitMQ topic exchange (routing key = type) as a
/// persistent CloudEvents message, with publisher confirms. The position moves only after the
/// broker confirmed a whole batch, so a broker outage or a crash loses nothing: the batch is sent
/// again (at least once; consumers deduplicate on the message id, the CloudEvents id). One
/// replica at a time holds the lease, which keeps the exchange in commit order.
/// </summary>
public sealed partial class BrokerRelay(
    NpgsqlDataSource db,
    EventFeed feed,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    RabbitMqOptions options,
    ServiceMetrics metrics,
    TimeProvider time,
    ILogger<BrokerRelay> logger) : IAsyncDisposable
{
    private const string RelayName = "rabbitmq";
    private static readonly EventFilter Everything = new(null, null);

    private readonly Guid _replica = Guid.NewGuid();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

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
                    await Drop();
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
        var channel = await Channel(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.EffectiveConfirmTimeout);
        // All of the batch in flight at once; each task completes when the broker confirms its
        // message (and throws if it nacks or the channel closes).
        var confirms = new List<Task>(events.Count);
        foreach (var e in events)
        {
            using var activity = Telemetry.Source.StartActivity("broker publish", ActivityKind.Producer,
                ActivityContext.TryParse(e.Traceparent, null, out var cause) ? cause : default);
            activity?.SetTag("messaging.system", "rabbitmq");
            activity?.SetTag("messaging.destination.name", options.Exchange);
            activity?.SetTag("cloudevents.event_id", e.Id);
            var properties = new BasicProperties
            {
                Persistent = true,
                MessageId = e.Id,
                Type = e.Type,
                ContentType = "application/cloudevents+json; charset=utf-8",
                Timestamp = new AmqpTimestamp(e.Time.ToUnixTimeSeconds()),
                Headers = new Dictionary<string, object?> { ["position"] = e.Position },
            };
            var traceparent = activity is not null ? activity.Id : e.Traceparent;
            if (traceparent is not null)
                properties.Headers["traceparent"] = traceparent;
            var body = JsonSerializer.SerializeToUtf8Bytes(e, json.Value.SerializerOptions);
            confirms.Add(channel.BasicPublishAsync(options.Exchange, e.Type, mandatory: false, properties, body, timeout.Token).AsTask());
        }
        await Task.WhenAll(confirms);
    }

    private async Task<IChannel> Channel(CancellationToken ct)
    {
        if (_channel is { IsOpen: true })
            return _channel;
        await Drop();
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.Uri!),
            ClientProvidedName = "action-tracker",
            // The relay reconnects itself on the next batch; the client's own recovery would
            // hide a lost channel whose unconfirmed messages must be sent again.
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
        };
        _connection = await factory.CreateConnectionAsync(ct);
        _channel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null), ct);
        await _channel.ExchangeDeclareAsync(options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        LogConnected(options.Exchange);
        return _channel;
    }

    private async Task Drop()
    {
        var (channel, connection) = (_channel, _connection);
        (_channel, _connection) = (null, null);
        try
        {
            if (channel is not null)
                await channel.DisposeAsync();
            if (connection is not null)
                await connection.DisposeAsync();
        }
        catch (Exception error)
        {
            LogDropFailed(error);
        }
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

    public async ValueTask DisposeAsync()
    {
        await Drop();
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing events to the RabbitMQ exchange {Exchange}")]
    private partial void LogConnected(string exchange);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the broker connection failed")]
    private partial void LogDropFailed(Exception error);

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
    /// <summary>The RabbitMQ relay, when <c>RabbitMq:Uri</c> is set.</summary>
    public static IServiceCollection AddBroker(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RabbitMqOptions();
        configuration.GetSection("RabbitMq").Bind(options);
        services.AddSingleton(options);
        services.AddMigrations<BrokerSchema>();
        services.AddSingleton<BrokerRelay>();
        services.AddHostedService<BrokerLoop>();
        return services;
    }
}
