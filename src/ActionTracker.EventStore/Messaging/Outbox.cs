using Microsoft.Extensions.Logging;
using Npgsql;

namespace ActionTracker.EventStore.Messaging;

/// <summary>One message waiting in the outbox.</summary>
public sealed record OutboxMessage(long Id, string Kind, string Destination, string Payload, int Attempt);

/// <summary>Sends one kind of outbox message (an HTTP POST, a broker publish). Throwing means retry.</summary>
public interface IOutboxTransport
{
    string Kind { get; }
    Task Send(OutboxMessage message, CancellationToken ct);
}

public sealed class OutboxOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int BatchSize { get; set; } = 20;
    public int MaxAttempts { get; set; } = 10;
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a claim lasts: a replica that dies mid-send leaves the message to another after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Messages to other systems, written in the transaction that caused them (so none is lost and
/// none is sent for a change that rolled back) and sent afterwards, never on a request's path.
/// Delivery is at least once: a crash between sending and recording sends again.
/// </summary>
public sealed partial class Outbox(
    NpgsqlDataSource dataSource,
    IEnumerable<IOutboxTransport> transports,
    OutboxOptions options,
    TimeProvider time,
    ILogger<Outbox> logger)
{
    private readonly Dictionary<string, IOutboxTransport> _transports = transports.ToDictionary(t => t.Kind);

    /// <summary>Queues a message in the writer's transaction, to be sent at once or not before <paramref name="notBefore"/>.</summary>
    public void Enqueue(ISqlWriter writer, string kind, string destination, string payloadJson, DateTimeOffset? notBefore = null)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        var due = notBefore is { } later && later > now ? later.ToUniversalTime() : now;
        writer.Add("insert into outbox (kind, destination, payload, created_at, next_attempt_at) values ($1, $2, $3, $4, $5)",
            kind, destination, ProjectionBatch.Jsonb(payloadJson), now, due);
    }

    /// <summary>Claims and sends due messages until none is left; returns how many were delivered.</summary>
    public async Task<int> DispatchDue(CancellationToken ct = default)
    {
        var delivered = 0;
        while (!ct.IsCancellationRequested)
        {
            var claimedAt = time.GetUtcNow();
            var batch = await Claim(ct);
            if (batch.Count == 0)
                break;
            foreach (var message in batch)
            {
                // Sends are one after another, each with its own timeout: once a quarter of the
                // lease has gone, renew this message's before its send, and leave it if another
                // replica took it over after ours ran out (the attempt number is the claim's
                // fencing token).
                if (time.GetUtcNow() - claimedAt > options.Lease / 4 && !await Renew(message, ct))
                    continue;
                if (await Deliver(message, ct))
                    delivered++;
            }
        }
        return delivered;
    }

    private async Task<List<OutboxMessage>> Claim(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        await using var claim = dataSource.CreateCommand(
            """
            update outbox set locked_until = $2, attempts = attempts + 1
             where id in (select id from outbox
                           where delivered_at is null and dead_at is null and next_attempt_at <= $1
                             and (locked_until is null or locked_until < $1)
                           order by id limit $3 for update skip locked)
            returning id, kind, destination, payload, attempts
            """);
        claim.Parameters.Add(new() { Value = now });
        claim.Parameters.Add(new() { Value = now + options.Lease });
        claim.Parameters.Add(new() { Value = options.BatchSize });
        await using var reader = await claim.ExecuteReaderAsync(ct);
        var batch = new List<OutboxMessage>();
        while (await reader.ReadAsync(ct))
            batch.Add(new OutboxMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        return batch.OrderBy(m => m.Id).ToList();
    }

    private async Task<bool> Renew(OutboxMessage message, CancellationToken ct)
    {
        await using var renew = dataSource.CreateCommand(
            "update outbox set locked_until = $3 where id = $1 and attempts = $2 and delivered_at is null and dead_at is null");
        renew.Parameters.Add(new() { Value = message.Id });
        renew.Parameters.Add(new() { Value = message.Attempt });
        renew.Parameters.Add(new() { Value = time.GetUtcNow().ToUniversalTime() + options.Lease });
        return await renew.ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task<bool> Deliver(OutboxMessage message, CancellationToken ct)
    {
        using var activity = StoreTelemetry.Source.StartActivity($"outbox send {message.Kind}", System.Diagnostics.ActivityKind.Producer);
        activity?.SetTag("actiontracker.outbox.id", message.Id);
        activity?.SetTag("actiontracker.outbox.attempt", message.Attempt);
        try
        {
            var transport = _transports.GetValueOrDefault(message.Kind)
                            ?? throw new InvalidOperationException($"No transport for outbox kind '{message.Kind}'.");
            await transport.Send(message, ct);
            await Record("update outbox set delivered_at = $2, locked_until = null where id = $1 and attempts = $3",
                message.Id, time.GetUtcNow().ToUniversalTime(), message.Attempt);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            var now = time.GetUtcNow().ToUniversalTime();
            var dead = message.Attempt >= options.MaxAttempts;
            var backoff = TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.FirstBackoff.Ticks * (1L << Math.Min(message.Attempt - 1, 30))));
            backoff += TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Min(1000, backoff.TotalMilliseconds / 10 + 1)));
            var error = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
            await Record("update outbox set locked_until = null, next_attempt_at = $2, last_error = $3, dead_at = $4 where id = $1 and attempts = $5",
                message.Id, now + backoff, error, dead ? now : null, message.Attempt);
            if (dead)
                LogDead(e, message.Id, message.Kind, message.Attempt);
            else
                LogRetry(e, message.Id, message.Kind, message.Attempt, backoff);
            return false;
        }
    }

    private async Task Record(string sql, params object?[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        // Not cancellable: the send happened, its outcome must be recorded.
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>Counts for metrics and operators: waiting, and dead-lettered.</summary>
    public async Task<(long Pending, long Dead)> Backlog(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select count(*) filter (where delivered_at is null and dead_at is null), count(*) filter (where dead_at is not null) from outbox");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {Id} ({Kind}) failed (attempt {Attempt}); retrying in {Backoff}")]
    private partial void LogRetry(Exception error, long id, string kind, int attempt, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {Id} ({Kind}) failed {Attempt} times and was dead-lettered")]
    private partial void LogDead(Exception error, long id, string kind, int attempt);
}
