using System.Diagnostics.Metrics;
using ActionTracker.Api.Events;
using ActionTracker.Api.Reports;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// What operators watch besides the framework's own metrics: commands by outcome, version
/// conflicts, deliveries to subscribers by outcome, and gauges of projection lag, skipped gaps
/// and overdue items (refreshed in the background, so reading a gauge never touches the database).
/// </summary>
public sealed class ServiceMetrics
{
    public const string MeterName = "ActionTracker";

    private readonly Counter<long> _commands;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _authFailures;
    private volatile IReadOnlyList<Measurement<long>> _lag = [];
    private long _overdue;
    private long _skips;
    private long _dead;
    private long _scheduled;
    private double _feedLag;
    private readonly Messaging.MessageStoreTables _messages;

    public ServiceMetrics(IMeterFactory meters, Messaging.MessageStoreTables messages)
    {
        _messages = messages;
        var meter = meters.Create(MeterName);
        _commands = meter.CreateCounter<long>("actiontracker.commands", "{command}",
            "Commands handled, by command and outcome (ok, rejected, conflict, replayed).");
        _conflicts = meter.CreateCounter<long>("actiontracker.command.conflicts", "{conflict}",
            "Optimistic writes that lost a race and were decided again under the stream lock.");
        _deliveries = meter.CreateCounter<long>("actiontracker.deliveries", "{event}",
            "Events delivered to subscribers, by channel (webhook, broker) and outcome (ok, failed).");
        _authFailures = meter.CreateCounter<long>("actiontracker.auth.failures", "{request}",
            "Requests whose bearer token was refused, by reason (signature, expired, issuer, audience, malformed, ...).");
        meter.CreateObservableGauge("actiontracker.projection.lag", () => _lag, "{event}",
            "How far each async projection is behind Marten's high-water mark, in events.");
        meter.CreateObservableGauge("actiontracker.projection.skips", () => Volatile.Read(ref _skips), "{gap}",
            "Gaps in the event sequence the high-water mark skipped as stale: each may be an event no reader saw.");
        meter.CreateObservableGauge("actiontracker.overdue.items", () => Volatile.Read(ref _overdue), "{item}",
            "Open items past their due date, per the overdue projection.");
        meter.CreateObservableGauge("actiontracker.messages.dead", () => Volatile.Read(ref _dead), "{message}",
            "Messages (deadline checks, digests, team notifications) dead-lettered after their last attempt and not replayed.");
        meter.CreateObservableGauge("actiontracker.messages.scheduled", () => Volatile.Read(ref _scheduled), "{message}",
            "Messages waiting in Wolverine's schedule (deadline checks, held-back notifications, retries).");
        meter.CreateObservableGauge("actiontracker.feed.lag", () => Volatile.Read(ref _feedLag), "s",
            "How far the readable end of the event log (Marten's high-water mark) is behind the newest event, in event time; it grows while the daemon is not running.");
    }

    public void Command(string command, string outcome) =>
        _commands.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("outcome", outcome));

    public void AuthenticationFailed(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Conflict(string command) => _conflicts.Add(1, new KeyValuePair<string, object?>("command", command));

    public void Delivered(string channel, bool ok, int events) =>
        _deliveries.Add(events, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", ok ? "ok" : "failed"));

    /// <summary>Reads the event feed's lag (what every reader of the log waits behind).</summary>
    public async Task RefreshFeedLag(EventLog log, CancellationToken ct) =>
        Volatile.Write(ref _feedLag, (await log.Lag(ct)).TotalSeconds);

    /// <summary>Reads the gauges' values from the database.</summary>
    public async Task Refresh(NpgsqlDataSource db, IDocumentStore store, CancellationToken ct)
    {
        var shards = store.Advanced.AllAsyncProjectionShardNames();
        await using var batch = db.CreateBatch();
        // Marten's progression: the high-water mark (up to which every event has committed, kept
        // by the daemon) and each shard's last applied event.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select name, last_seq_id from mt_event_progression where name = any($1)")
        {
            Parameters = { new() { Value = shards.Select(s => s.Identity).Append(ShardState.HighWaterMark).ToArray() } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select count(*) from mt_high_water_skips"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select coalesce(sum(count), 0) from {OverdueCounts.Table}"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"select (select count(*) from {_messages.DeadLetters} where not replayable), (select count(*) from {_messages.Incoming} where status = 'Scheduled')"));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var sequences = new Dictionary<string, long>();
        while (await reader.ReadAsync(ct))
            sequences[reader.GetString(0)] = reader.GetInt64(1);
        var highWater = sequences.GetValueOrDefault(ShardState.HighWaterMark);
        _lag = [.. shards.Select(s => new Measurement<long>(Math.Max(0, highWater - sequences.GetValueOrDefault(s.Identity)),
            new KeyValuePair<string, object?>("projection", s.Name)))];
        await reader.NextResultAsync(ct);
        if (await reader.ReadAsync(ct))
            Volatile.Write(ref _skips, reader.GetInt64(0));
        await reader.NextResultAsync(ct);
        if (await reader.ReadAsync(ct))
            Volatile.Write(ref _overdue, reader.GetInt64(0));
        await reader.NextResultAsync(ct);
        if (await reader.ReadAsync(ct))
        {
            Volatile.Write(ref _dead, reader.GetInt64(0));
            Volatile.Write(ref _scheduled, reader.GetInt64(1));
        }
    }
}

/// <summary>Refreshes the gauges every few seconds on every replica.</summary>
public sealed partial class ServiceMetricsLoop(ServiceMetrics metrics, NpgsqlDataSource db, IDocumentStore store, EventLog log, TimeProvider time, ILogger<ServiceMetricsLoop> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await metrics.Refresh(db, store, ct);
                await metrics.RefreshFeedLag(log, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogFailed(e);
            }
            try
            {
                await Task.Delay(Interval, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refreshing the metrics gauges failed; trying again later")]
    private partial void LogFailed(Exception error);
}
