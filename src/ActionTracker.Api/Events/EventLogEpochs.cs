using ActionTracker.Api.Infrastructure.Schema;
using Marten;
using Npgsql;

namespace ActionTracker.Api.Events;

public sealed class EventLogSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("event-log", 1, "event log epochs",
            """
            -- Marten's sequence numbers go back when the database is restored to a point in time or
            -- fails over to a replica that had not seen the last transactions, and a reader's cursor
            -- past them would then skip every event written afterwards. So positions carry an epoch:
            -- a new one begins whenever the cluster or its timeline is not the one the last epoch
            -- began on, at the next sequence number. Epochs are numbered by the second they began
            -- (the first is 0), so an epoch lost with a rolled-back timeline still sorts before the
            -- one that replaced it.
            create table event_log_epochs (
                epoch bigint primary key,
                first_seq bigint not null,
                system_identifier bigint not null,
                timeline int not null,
                reason text not null,
                began_at timestamptz not null default now());

            insert into event_log_epochs (epoch, first_seq, system_identifier, timeline, reason)
            select 0, 0, s.system_identifier, c.timeline_id, 'created'
              from pg_control_system() s, pg_control_checkpoint() c;
            """),
    ];
}

/// <summary>
/// Begins a new epoch of the event log when the database was restored into another cluster or
/// onto another timeline. Runs before any other service starts (so before this replica appends
/// anything); replicas starting together serialize on a lock.
/// </summary>
public sealed partial class EventLogEpochs(IDocumentStore store, NpgsqlDataSource db, ILogger<EventLogEpochs> logger) : IHostedLifecycleService
{
    public const string Table = "event_log_epochs";

    /// <summary>Transaction-scoped advisory lock key ("evlogepo" in ASCII) that serializes replicas starting together.</summary>
    private const long LockKey = 0x65766c6f67_65706fL;

    public Task StartingAsync(CancellationToken ct) => Ensure(ct);

    /// <summary>Begins a new epoch if the cluster or timeline changed; returns it, or null when the current one stands.</summary>
    public async Task<long?> Ensure(CancellationToken ct = default)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        bool logged, events;
        await using (var exists = new NpgsqlCommand(
            $"select pg_advisory_xact_lock($1), to_regclass('{Table}') is not null, to_regclass('{schema}.mt_events') is not null", conn, tx))
        {
            exists.Parameters.Add(new() { Value = LockKey });
            await using var reader = await exists.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (logged, events) = (reader.GetBoolean(1), reader.GetBoolean(2));
        }
        // No table yet: a new database, whose first epoch its migration records.
        if (!logged)
            return null;

        string? reason;
        await using (var current = new NpgsqlCommand(
            $"""
            select case when e.system_identifier <> s.system_identifier then 'restored into another cluster'
                        when e.timeline <> c.timeline_id then 'timeline changed (point-in-time restore or failover)' end
              from (select * from {Table} order by epoch desc limit 1) e, pg_control_system() s, pg_control_checkpoint() c
            """, conn, tx))
            reason = await current.ExecuteScalarAsync(ct) as string;
        if (reason is null)
            return null;

        // In the Quick append modes every append reads its stream's row before it takes a
        // sequence number (inside mt_quick_append_events), so once nothing else holds mt_streams
        // no transaction holds a number it has yet to insert: every number from the next one on
        // is the new epoch's. (Rich mode takes its numbers before that, and would void this.)
        var first = "0";
        if (events)
        {
            await using var @lock = new NpgsqlCommand($"lock table {schema}.mt_streams, {schema}.mt_events in access exclusive mode", conn, tx);
            await @lock.ExecuteNonQueryAsync(ct);
            first = $"(select case when is_called then last_value + 1 else last_value end from {schema}.mt_events_sequence)";
        }
        long epoch, firstSequence;
        await using (var begin = new NpgsqlCommand(
            $"""
            insert into {Table} (epoch, first_seq, system_identifier, timeline, reason)
            select greatest((select max(epoch) + 1 from {Table}), floor(extract(epoch from clock_timestamp()))::bigint),
                   {first}, s.system_identifier, c.timeline_id, $1
              from pg_control_system() s, pg_control_checkpoint() c
            returning epoch, first_seq
            """, conn, tx))
        {
            begin.Parameters.Add(new() { Value = reason });
            await using var reader = await begin.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (epoch, firstSequence) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        await tx.CommitAsync(ct);
        LogEpoch(epoch, firstSequence, reason);
        return epoch;
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event log epoch {Epoch} begins at sequence {FirstSequence}: {Reason}")]
    private partial void LogEpoch(long epoch, long firstSequence, string reason);
}
