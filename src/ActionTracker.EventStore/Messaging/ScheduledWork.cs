using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ActionTracker.EventStore.Messaging;

/// <summary>
/// A scheduled message whose handler appends to one stream. The runner takes that stream's lock
/// before it reads the message, and the transaction writes nothing before that, so it is never
/// given an id ahead of a user's change to the stream committed while it waited: events of one
/// stream stay in version order by (tx_id, seq).
/// </summary>
public interface IStreamMessage
{
    Guid StreamId { get; }
}

/// <summary>Handles one kind of scheduled message inside the transaction that claimed it.</summary>
public interface IScheduledHandler<in TMessage>
{
    /// <summary>
    /// Append events and queue writes through <paramref name="session"/>: they commit with the
    /// removal of the message, or not at all. Throwing retries the message later.
    /// </summary>
    Task Handle(TMessage message, EventSession session, CancellationToken ct);
}

public sealed class ScheduledWorkOptions
{
    /// <summary>How often the runner looks for due work (configuration Scheduler:PollInterval).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a message is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay before the first retry; doubled each attempt, capped at <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>False turns the background loop off (tests drive <see cref="ScheduledWork.RunDue"/> themselves).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Writes "handle this message at time T" into the caller's transaction. Kept apart from the
/// runner so that handlers, which schedule follow-ups, do not depend on what runs them.
/// </summary>
public sealed class MessageScheduler(EventStore store, TimeProvider time)
{
    private const string Upsert =
        """
        insert into scheduled_messages (key, type, payload, due_at, created_at, stream_id) values ($1, $2, $3, $4, $5, $6)
        on conflict (key) do update set type = excluded.type, payload = excluded.payload, due_at = excluded.due_at,
            stream_id = excluded.stream_id, attempts = 0, last_error = null, dead_at = null
        """;

    /// <summary>Schedules (or moves) the message under <paramref name="key"/>, in the writer's transaction.</summary>
    public void Schedule<TMessage>(ISqlWriter writer, string key, TMessage message, DateTimeOffset dueAt) where TMessage : notnull =>
        writer.Add(Upsert, key, ScheduledWork.TypeName(typeof(TMessage)), ProjectionBatch.Jsonb(JsonSerializer.Serialize(message, store.JsonOptions)),
            dueAt.ToUniversalTime(), time.GetUtcNow().ToUniversalTime(), StreamOf(message));

    /// <summary>
    /// Schedules the message unless one is already waiting under <paramref name="key"/>; a
    /// dead-lettered one is replaced, so a recurring job started this way comes back at the next start.
    /// </summary>
    public void ScheduleIfAbsent<TMessage>(ISqlWriter writer, string key, TMessage message, DateTimeOffset dueAt) where TMessage : notnull =>
        writer.Add(
            """
            insert into scheduled_messages (key, type, payload, due_at, created_at, stream_id) values ($1, $2, $3, $4, $5, $6)
            on conflict (key) do update set type = excluded.type, payload = excluded.payload, due_at = excluded.due_at,
                stream_id = excluded.stream_id, attempts = 0, last_error = null, dead_at = null
             where scheduled_messages.dead_at is not null
            """,
            key, ScheduledWork.TypeName(typeof(TMessage)), ProjectionBatch.Jsonb(JsonSerializer.Serialize(message, store.JsonOptions)),
            dueAt.ToUniversalTime(), time.GetUtcNow().ToUniversalTime(), StreamOf(message));

    private static NpgsqlParameter StreamOf(object message) => new()
    {
        Value = message is IStreamMessage m ? m.StreamId : DBNull.Value,
        NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid,
    };

    public static void Cancel(ISqlWriter writer, string key) => writer.Add("delete from scheduled_messages where key = $1", key);
}

/// <summary>A dead-lettered or waiting message, for operators.</summary>
public sealed record ScheduledMessageInfo(long Id, string Key, string Type, DateTimeOffset DueAt, int Attempts, string? LastError, DateTimeOffset? DeadAt);

/// <summary>
/// Runs "handle this message at time T", durable in PostgreSQL. Scheduling (<see cref="MessageScheduler"/>)
/// is a write in the caller's transaction; a runner holds a due message by a transaction-scoped
/// advisory lock (as <c>skip locked</c> would, but without giving the transaction an id), so with
/// any number of replicas each message is handled once, and the handler's events commit in the
/// same transaction as the message's removal.
/// </summary>
public sealed partial class ScheduledWork(
    EventStore store,
    NpgsqlDataSource dataSource,
    ScheduledWorkOptions options,
    IEnumerable<IScheduledDispatch> dispatchers,
    TimeProvider time,
    ILogger<ScheduledWork> logger)
{
    private readonly Dictionary<string, IScheduledDispatch> _dispatchers = dispatchers.ToDictionary(d => d.Type);
    /// <summary>
    /// Handles every message due now, one transaction each, until none is left that another
    /// runner has not claimed. Returns how many were handled successfully.
    /// </summary>
    public async Task<int> RunDue(CancellationToken ct = default)
    {
        var handled = 0;
        // Tried this round (handled, failed, held by another runner or gone): not asked for
        // again, so a busy head of the queue does not hide what is due behind it.
        var tried = new HashSet<long>();
        while (!ct.IsCancellationRequested)
        {
            var (found, done) = await RunBatch(tried, ct);
            handled += done;
            if (found == 0)
                break;
        }
        return handled;
    }

    /// <summary>Handles the next due messages not tried yet, one transaction each; returns how many were found and how many handled.</summary>
    private async Task<(int Found, int Handled)> RunBatch(HashSet<long> tried, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        await using var connection = await dataSource.OpenConnectionAsync(ct);

        // Candidates first, without writing: the transaction must not be given an id before it
        // holds the lock of the stream its handler appends to (see IStreamMessage).
        var candidates = new List<(long Id, Guid? Stream)>();
        await using (var due = new NpgsqlCommand(
            "select id, stream_id from scheduled_messages where dead_at is null and due_at <= $1 and not (id = any($2)) order by due_at limit 16", connection))
        {
            due.Parameters.Add(new() { Value = now });
            due.Parameters.Add(new() { Value = tried.ToArray() });
            await using var reader = await due.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                candidates.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetGuid(1)));
        }

        var handled = 0;
        foreach (var (candidate, stream) in candidates)
        {
            tried.Add(candidate);
            await using var tx = await connection.BeginTransactionAsync(ct);
            // An advisory lock per message spreads runners over messages the way `skip locked`
            // would, without the row lock that would give the transaction an id.
            await using (var mine = new NpgsqlCommand("select pg_try_advisory_xact_lock(hashtextextended('scheduled:' || $1, 0))", connection, tx))
            {
                mine.Parameters.Add(new() { Value = candidate });
                if (await mine.ExecuteScalarAsync(ct) is not true)
                    continue;
            }

            // Then the stream's lock, then the message read afresh under the locks: another
            // runner may have handled it, or a user's change to the stream moved it, since the
            // candidates were read.
            if (await Read(connection, tx, candidate, stream, now, ct) is not var (key, type, payload, attempts, dueAt))
                continue;

            using var activity = StoreTelemetry.Source.StartActivity($"scheduled {type}");
            activity?.SetTag("actiontracker.scheduled.key", key);
            activity?.SetTag("actiontracker.scheduled.attempt", attempts + 1);
            try
            {
                var session = store.OpenSession(new EventMetadata("scheduler", CausationId: key,
                    TraceParent: activity?.Id, TraceState: activity?.TraceStateString), connection, tx);
                // The claim is the removal of the row, written with the handler's own writes and
                // ahead of all of them (they may schedule the same key again). Until then the
                // transaction has written nothing and has no id, so a handler that does slow
                // work elsewhere (the weekly digests) does not hold back the readers' horizon.
                // Where the row changed meanwhile (moved or cancelled by someone else), the
                // claim fails the whole transaction and the newer schedule stands.
                session.QueueFirst("select claim_scheduled($1, $2, $3)", candidate, dueAt, attempts);
                await Dispatch(type, payload, session, ct);
                await tx.CommitAsync(ct);
                handled++;
            }
            catch (PostgresException e) when (e.SqlState == ClaimLostState)
            {
                await RollBackQuietly(tx);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
                // Recorded under the locks still held, so no other runner takes the message
                // between the failure and its record, and a schedule moved meanwhile stands.
                var failure = Failure(attempts + 1, e, now);
                try
                {
                    await tx.RollbackAsync("handler", CancellationToken.None);
                    await Record(connection, tx, candidate, dueAt, attempts, failure);
                    await tx.CommitAsync(CancellationToken.None);
                }
                catch (Exception recording) when (recording is NpgsqlException or InvalidOperationException or ObjectDisposedException)
                {
                    // The connection is gone (e.g. the session was ended for idling): record on
                    // another, still only if the row is as it was read.
                    await RollBackQuietly(tx);
                    await using var other = await dataSource.OpenConnectionAsync(CancellationToken.None);
                    await Record(other, null, candidate, dueAt, attempts, failure);
                }
                Log(failure, key, e);
            }
        }
        return (candidates.Count, handled);
    }

    private static async Task<(string Key, string Type, string Payload, int Attempts, DateTimeOffset DueAt)?> Read(
        NpgsqlConnection connection, NpgsqlTransaction tx, long id, Guid? stream, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        if (stream is { } streamId)
            batch.BatchCommands.Add(EventSession.LockStream(streamId));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "select key, type, payload, attempts, due_at from scheduled_messages where id = $1 and dead_at is null and due_at <= $2")
        {
            Parameters = { new() { Value = id }, new() { Value = now } },
        });
        // Where a failed handler is rolled back to, keeping the locks and the read.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("savepoint handler"));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (stream is not null)
            await reader.NextResultAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        return (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4));
    }

    private async Task Dispatch(string type, string payload, EventSession session, CancellationToken ct)
    {
        var dispatcher = _dispatchers.GetValueOrDefault(type)
                         ?? throw new InvalidOperationException($"No handler is registered for scheduled message type '{type}'.");
        await using (session)
        {
            await dispatcher.Handle(payload, session, ct);
            // Whatever the handler left unsaved, the claim included.
            await session.SaveChanges(ct);
        }
    }

    /// <summary>SQLSTATE raised by <c>claim_scheduled</c> when the message changed or went while it was handled.</summary>
    public const string ClaimLostState = "AT410";

    private sealed record FailureRecord(int Attempts, string Error, DateTimeOffset RetryAt, DateTimeOffset? DeadAt, TimeSpan Backoff);

    private FailureRecord Failure(int attempts, Exception error, DateTimeOffset now)
    {
        var dead = attempts >= options.MaxAttempts;
        var backoff = TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.FirstBackoff.Ticks * (1L << Math.Min(attempts - 1, 30))));
        // Jitter spreads retries of many messages that failed together.
        backoff += TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Min(1000, backoff.TotalMilliseconds / 10 + 1)));
        return new FailureRecord(attempts, error.Message.Length > 2000 ? error.Message[..2000] : error.Message, now + backoff, dead ? now : null, backoff);
    }

    private static async Task Record(NpgsqlConnection connection, NpgsqlTransaction? tx, long id, DateTimeOffset dueAt, int attempts, FailureRecord failure)
    {
        await using var update = new NpgsqlCommand(
            """
            update scheduled_messages set attempts = $2, last_error = $3, due_at = $4, dead_at = $5
             where id = $1 and due_at = $6 and attempts = $7
            """, connection, tx);
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = failure.Attempts });
        update.Parameters.Add(new() { Value = failure.Error });
        update.Parameters.Add(new() { Value = failure.RetryAt });
        update.Parameters.Add(new() { Value = (object?)failure.DeadAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        update.Parameters.Add(new() { Value = dueAt });
        update.Parameters.Add(new() { Value = attempts });
        await update.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private void Log(FailureRecord failure, string key, Exception error)
    {
        if (failure.DeadAt is not null)
            LogDead(error, key, failure.Attempts);
        else
            LogRetry(error, key, failure.Attempts, failure.Backoff);
    }

    private static async Task RollBackQuietly(NpgsqlTransaction tx)
    {
        try
        {
            await tx.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            // Already over (the connection broke): nothing was committed.
        }
    }

    /// <summary>Messages dead-lettered after their last attempt, newest first.</summary>
    public async Task<IReadOnlyList<ScheduledMessageInfo>> DeadLetters(int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select id, key, type, due_at, attempts, last_error, dead_at from scheduled_messages where dead_at is not null order by dead_at desc limit $1");
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<ScheduledMessageInfo>();
        while (await reader.ReadAsync(ct))
            list.Add(new ScheduledMessageInfo(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        return list;
    }

    /// <summary>Puts a dead message back in line, due now. False when no dead message has that id.</summary>
    public async Task<bool> Retry(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "update scheduled_messages set dead_at = null, attempts = 0, due_at = $2 where id = $1 and dead_at is not null");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = time.GetUtcNow().ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Counts for metrics: messages due now and waiting, and dead letters.</summary>
    public async Task<(long Due, long Dead)> Backlog(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select count(*) filter (where dead_at is null and due_at <= $1), count(*) filter (where dead_at is not null) from scheduled_messages");
        command.Parameters.Add(new() { Value = time.GetUtcNow().ToUniversalTime() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    internal static string TypeName(Type type) => EventTypeRegistry.SnakeCase(type.Name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled message {Key} failed (attempt {Attempts}); retrying in {Backoff}")]
    private partial void LogRetry(Exception error, string key, int attempts, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled message {Key} failed {Attempts} times and was dead-lettered")]
    private partial void LogDead(Exception error, string key, int attempts);
}

/// <summary>Deserializes one message type and hands it to its handler.</summary>
public interface IScheduledDispatch
{
    string Type { get; }
    Task Handle(string payload, EventSession session, CancellationToken ct);
}

internal sealed class ScheduledDispatch<TMessage>(IScheduledHandler<TMessage> handler, EventStore store) : IScheduledDispatch
{
    public string Type { get; } = ScheduledWork.TypeName(typeof(TMessage));

    public Task Handle(string payload, EventSession session, CancellationToken ct) =>
        handler.Handle(JsonSerializer.Deserialize<TMessage>(payload, store.JsonOptions)!, session, ct);
}
