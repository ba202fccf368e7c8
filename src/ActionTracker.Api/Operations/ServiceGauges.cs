using System.Diagnostics.Metrics;
using ActionTracker.Api.Events;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Api.Reports;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace ActionTracker.Api.Operations;

/// <summary>
/// Gauges of what the database holds, for operators: projection lag, skipped gaps, overdue items,
/// dead and scheduled messages, the feed's lag. Refreshed in the background
/// (<see cref="ServiceGaugesLoop"/>), so reading a gauge never touches the database.
/// </summary>
public sealed class ServiceGauges
{
    private volatile IReadOnlyList<Measurement<long>> _lag = [];
    private long _overdue;
    private long _skips;
    private long _dead;
    private long _scheduled;
    private double _feedLag;
    private readonly MessageStoreTables _messages;

    public ServiceGauges(IMeterFactory meters, MessageStoreTables messages)
    {
        _messages = messages;
        var meter = meters.Create(ServiceMetrics.MeterName);
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
public sealed partial class ServiceGaugesLoop(ServiceGauges metrics, NpgsqlDataSource db, IDocumentStore store, EventLog log, TimeProvider time, ILogger<ServiceGaugesLoop> logger) : BackgroundService
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
