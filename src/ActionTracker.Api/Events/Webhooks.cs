using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using ActionTracker.Api.Infrastructure.Schema;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActionTracker.Api.Events;

public sealed class WebhookOptions
{
    public bool Enabled { get; set; } = true;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A subscription failing for this long is disabled (and the failure recorded).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public int BatchSize { get; set; } = 100;

    /// <summary>Healthy subscriptions (their last call succeeded) delivered to at the same time by one replica.</summary>
    public int ConcurrentSubscriptions { get; set; } = 32;

    /// <summary>
    /// Failing subscriptions (a call failed or timed out: the circuit is open until their backoff
    /// ends) probed at the same time by one replica: a lane of their own, so a crowd of slow or
    /// dead receivers never takes the healthy subscriptions' room.
    /// </summary>
    public int ConcurrentFailing { get; set; } = 4;

    /// <summary>Subscriptions one caller may have (admins excepted).</summary>
    public int MaxPerCaller { get; set; } = 10;

    /// <summary>Batches delivered per claim before the subscription is released for another turn.</summary>
    public int BatchesPerClaim { get; set; } = 20;
}

public sealed class WebhookSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("webhooks", 1, "subscriptions",
            """
            -- Each subscription is its own reader: a cursor over the event order, moved only after
            -- a delivery succeeded, so deliveries are in order and at least once.
            create table subscriptions (
                id uuid primary key,
                url text not null,
                types text[] not null,
                teams text[] not null,
                secret text not null,
                created_by text not null,
                created_at timestamptz not null,
                tx_id xid8 not null,
                seq bigint not null,
                attempts int not null default 0,
                failing_since timestamptz,
                next_attempt_at timestamptz not null,
                locked_until timestamptz,
                last_success_at timestamptz,
                last_error text,
                delivered bigint not null default 0,
                disabled_at timestamptz,
                disabled_reason text);
            """),
        new("webhooks", 2, "batched deliveries",
            """
            -- Events per call: 1 sends each event alone; more send a CloudEvents JSON batch.
            alter table subscriptions add column batch int not null default 1;
            """),
        new("webhooks", 3, "fenced leases",
            """
            -- Each claim writes a new token; the cursor moves only where the token is still the
            -- claimant's, so a replica whose lease lapsed (or a replay that reset the cursor)
            -- is never overwritten by a delivery that was already under way.
            alter table subscriptions add column lock_token uuid;
            """),
        new("webhooks", 4, "cursors over the event log",
            """
            -- A cursor is a position in Marten's log now: its epoch and mt_events.seq_id. The old
            -- (tx_id, seq) pairs mean nothing there, so a subscription starts again from the
            -- beginning (deliveries are at least once; receivers deduplicate on the event id).
            alter table subscriptions drop column tx_id, add column epoch bigint not null default 0;
            update subscriptions set seq = 0;
            """),
    ];
}

/// <summary>Standard Webhooks signatures: <c>v1,</c> + base64 HMAC-SHA256 of "id.timestamp.body".</summary>
public static class WebhookSignature
{
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return "v1," + Convert.ToBase64String(mac);
    }
}

public sealed record SubscriptionRequest(string? Url, string[]? Types, string[]? Teams, string? From, int? Batch);

public sealed record SubscriptionCreated(Guid Id, string Url, IReadOnlyList<string> Types, IReadOnlyList<string> Teams, int Batch, string Secret, DateTimeOffset CreatedAt);

public sealed record SubscriptionStatus(
    Guid Id, string Url, IReadOnlyList<string> Types, IReadOnlyList<string> Teams, int Batch, string State, string Position, long Delivered,
    int Failures, DateTimeOffset? FailingSince, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastSuccessAt, string? LastError,
    DateTimeOffset? DisabledAt, string? DisabledReason);

public sealed record SubscriptionList(IReadOnlyList<SubscriptionStatus> Subscriptions);

public sealed record ReplayRequest(string? From);

/// <summary>
/// Delivers events to subscribers' URLs: in order per subscription, signed, with a timeout on
/// every call, retried with exponential backoff and jitter, and disabled (with the failure
/// recorded) after <see cref="WebhookOptions.GiveUpAfter"/> of failing. A lease keeps two replicas
/// from delivering the same subscription at once; no transaction is open during a call.
/// <para>
/// Each subscription is delivered on its own: a delivery is started when its lane has room and
/// is not waited for by any other (<see cref="Start"/>). A failed or timed-out call opens the
/// subscription's circuit: it is not called again until its backoff ends, and then only as a
/// probe in the lane of failing subscriptions (<see cref="WebhookOptions.ConcurrentFailing"/>),
/// apart from the healthy ones (<see cref="WebhookOptions.ConcurrentSubscriptions"/>).
/// </para>
/// </summary>
public sealed partial class WebhookDispatcher(
    NpgsqlDataSource db,
    EventFeed feed,
    IHttpClientFactory clients,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    WebhookOptions options,
    ServiceMetrics metrics,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger)
{
    public const string ClientName = "webhooks";

    public const int MaxBatch = 500;

    private sealed record Claimed(Guid Id, string Url, string[] Types, string[] Teams, string Secret, LogPosition Cursor, int Attempts, DateTimeOffset? FailingSince, int Batch, Guid Token, DateTimeOffset ClaimedAt);

    private readonly SemaphoreSlim _healthy = new(options.ConcurrentSubscriptions);
    private readonly SemaphoreSlim _failing = new(options.ConcurrentFailing);

    /// <summary>Delivers what is due to every subscription this replica has room for, and waits for those deliveries; returns deliveries made.</summary>
    public async Task<int> DeliverDue(CancellationToken ct = default) => (await Task.WhenAll(await Start(ct))).Sum();

    /// <summary>
    /// Claims as many due subscriptions as each lane has room for and starts delivering to each,
    /// without waiting: a slow receiver holds back only its own subscription, and order matters
    /// only within each. Every task ends with its lane's room given back; its result is the events delivered.
    /// </summary>
    public async Task<IReadOnlyList<Task<int>>> Start(CancellationToken ct = default)
    {
        var started = new List<Task<int>>();
        foreach (var (lane, failing) in new[] { (_healthy, false), (_failing, true) })
        {
            var room = 0;
            while (lane.Wait(0))
                room++;
            if (room == 0)
                continue;
            List<Claimed> claimed;
            try
            {
                claimed = await Claim(room, failing, ct);
            }
            catch
            {
                lane.Release(room);
                throw;
            }
            if (claimed.Count < room)
                lane.Release(room - claimed.Count);
            started.AddRange(claimed.Select(s => Run(s, lane, ct)));
        }
        return started;
    }

    private async Task<int> Run(Claimed s, SemaphoreSlim lane, CancellationToken ct)
    {
        try
        {
            return await Deliver(s, ct);
        }
        finally
        {
            lane.Release();
        }
    }

    /// <param name="failing">The lane: subscriptions whose last call failed, or those whose last call succeeded.</param>
    private async Task<List<Claimed>> Claim(int limit, bool failing, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var claim = db.CreateCommand(
            """
            update subscriptions set locked_until = $2, lock_token = $3
             where id in (select id from subscriptions
                           where disabled_at is null and next_attempt_at <= $1 and (locked_until is null or locked_until < $1)
                                 and (attempts > 0) = $4
                           order by next_attempt_at limit $5 for update skip locked)
            returning id, url, types, teams, secret, epoch, seq, attempts, failing_since, batch
            """);
        claim.Parameters.Add(new() { Value = now });
        claim.Parameters.Add(new() { Value = now + options.Lease });
        var token = Guid.NewGuid();
        claim.Parameters.Add(new() { Value = token });
        claim.Parameters.Add(new() { Value = failing });
        claim.Parameters.Add(new() { Value = limit });
        var list = new List<Claimed>();
        await using var r = await claim.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Claimed(r.GetGuid(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetFieldValue<string[]>(3), r.GetString(4),
                new LogPosition(r.GetInt64(5), r.GetInt64(6)), r.GetInt32(7),
                r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8), r.GetInt32(9), token, now));
        return list;
    }

    private async Task<int> Deliver(Claimed s, CancellationToken ct)
    {
        var filter = new EventFilter(s.Types.Length > 0 ? s.Types.ToHashSet() : null, s.Teams.Length > 0 ? s.Teams.ToHashSet() : null);
        var cursor = s.Cursor;
        var sent = 0;
        // A claim may wait for a free slot, and a batch may take many calls, each up to the
        // timeout: before each read and each call, renew the lease once a quarter of it has
        // gone, and stop where another replica (or a replay) took over.
        var renewedAt = s.ClaimedAt;
        async Task<bool> HoldLease()
        {
            if (time.GetUtcNow() - renewedAt <= options.Lease / 4)
                return true;
            if (!await Renew(s, ct))
            {
                LogLeaseLost(s.Id, sent);
                return false;
            }
            renewedAt = time.GetUtcNow();
            return true;
        }
        for (var batch = 0; batch < options.BatchesPerClaim; batch++)
        {
            if (!await HoldLease())
                return sent;
            var (events, scanned) = await feed.Read(cursor, Math.Max(options.BatchSize, s.Batch), filter, ct);
            foreach (var chunk in events.Chunk(s.Batch))
            {
                if (!await HoldLease())
                    return sent;
                try
                {
                    await Send(s, chunk, ct);
                    metrics.Delivered("webhook", ok: true, chunk.Length);
                }
                catch (Exception error) when (error is HttpRequestException or TaskCanceledException or InvalidOperationException && !ct.IsCancellationRequested)
                {
                    metrics.Delivered("webhook", ok: false, chunk.Length);
                    await Failed(s, cursor, sent, error.Message);
                    return sent;
                }
                cursor = LogPosition.TryParse(chunk[^1].Position, out var p) ? p : cursor;
                sent += chunk.Length;
            }
            // Past everything read, matching or not.
            cursor = scanned;
            if (events.Count < options.BatchSize)
                break;
        }
        await Succeeded(s, cursor, sent);
        return sent;
    }

    /// <summary>
    /// One call: a single event as its envelope, or several as a CloudEvents JSON batch (an
    /// array). The webhook-id of a batch is derived from its event ids, so a retry of the same
    /// batch has the same id; a retry may carry more events, and then a new id.
    /// </summary>
    private async Task Send(Claimed s, CloudEvent[] events, CancellationToken ct)
    {
        var e = events[0];
        // A child of the change that caused the (first) event: the call and its traceparent
        // header continue that trace.
        using var activity = Telemetry.Source.StartActivity("webhook send", System.Diagnostics.ActivityKind.Producer,
            System.Diagnostics.ActivityContext.TryParse(e.Traceparent, null, out var cause) ? cause : default);
        activity?.SetTag("actiontracker.subscription.id", s.Id);
        activity?.SetTag("cloudevents.event_id", e.Id);
        activity?.SetTag("messaging.batch.message_count", events.Length);
        var single = s.Batch == 1;
        var body = single
            ? JsonSerializer.Serialize(e, json.Value.SerializerOptions)
            : JsonSerializer.Serialize(events, json.Value.SerializerOptions);
        var id = single ? e.Id : "batch_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', events.Select(x => x.Id)))))[..32];
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, s.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, single ? "application/json" : "application/cloudevents-batch+json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(s.Secret, id, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{s.Url} answered {(int)response.StatusCode}.");
    }

    private async Task<bool> Renew(Claimed s, CancellationToken ct)
    {
        await using var renew = db.CreateCommand("update subscriptions set locked_until = $3 where id = $1 and lock_token = $2");
        renew.Parameters.Add(new() { Value = s.Id });
        renew.Parameters.Add(new() { Value = s.Token });
        renew.Parameters.Add(new() { Value = time.GetUtcNow() + options.Lease });
        return await renew.ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task Succeeded(Claimed s, LogPosition cursor, int sent)
    {
        var now = time.GetUtcNow();
        await using var update = db.CreateCommand(
            """
            update subscriptions set epoch = $2, seq = $3, locked_until = null, next_attempt_at = $4,
                   attempts = 0, failing_since = null, delivered = delivered + $5,
                   last_success_at = case when $5 > 0 then $6 else last_success_at end, lock_token = null
             where id = $1 and lock_token = $7
            """);
        update.Parameters.Add(new() { Value = s.Id });
        update.Parameters.Add(new() { Value = cursor.Epoch });
        update.Parameters.Add(new() { Value = cursor.Sequence });
        update.Parameters.Add(new() { Value = now }); // due again at once; the loop's interval paces it
        update.Parameters.Add(new() { Value = (long)sent });
        update.Parameters.Add(new() { Value = now });
        update.Parameters.Add(new() { Value = s.Token });
        if (await update.ExecuteNonQueryAsync(CancellationToken.None) == 0)
            LogLeaseLost(s.Id, sent);
    }

    private async Task Failed(Claimed s, LogPosition cursor, int sent, string error)
    {
        var now = time.GetUtcNow();
        var attempts = s.Attempts + 1;
        var failingSince = s.FailingSince ?? now;
        var backoff = TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.FirstBackoff.Ticks * (1L << Math.Min(attempts - 1, 30))));
        backoff += TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Min(5000, backoff.TotalMilliseconds / 5 + 1)));
        var giveUp = now - failingSince >= options.GiveUpAfter;
        await using var update = db.CreateCommand(
            """
            update subscriptions set epoch = $2, seq = $3, locked_until = null, next_attempt_at = $4,
                   attempts = $5, failing_since = $6, last_error = $7, delivered = delivered + $8,
                   disabled_at = $9, disabled_reason = $10, lock_token = null
             where id = $1 and lock_token = $11
            """);
        update.Parameters.Add(new() { Value = s.Id });
        update.Parameters.Add(new() { Value = cursor.Epoch });
        update.Parameters.Add(new() { Value = cursor.Sequence });
        update.Parameters.Add(new() { Value = now + backoff });
        update.Parameters.Add(new() { Value = attempts });
        update.Parameters.Add(new() { Value = failingSince });
        update.Parameters.Add(new() { Value = error.Length > 1000 ? error[..1000] : error });
        update.Parameters.Add(new() { Value = (long)sent });
        update.Parameters.Add(new() { Value = giveUp ? now : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        update.Parameters.Add(new() { Value = giveUp ? $"Failing since {failingSince:O}: {error}" : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        update.Parameters.Add(new() { Value = s.Token });
        if (await update.ExecuteNonQueryAsync(CancellationToken.None) == 0)
        {
            LogLeaseLost(s.Id, sent);
            return;
        }
        if (giveUp)
            LogDisabled(s.Id, s.Url, attempts);
        else
            LogRetry(s.Id, attempts, backoff);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook subscription {Id}: another replica or a replay took it over after {Sent} events; this delivery stops")]
    private partial void LogLeaseLost(Guid id, int sent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook subscription {Id} failed (attempt {Attempts}); retrying in {Backoff}")]
    private partial void LogRetry(Guid id, int attempts, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook subscription {Id} to {Url} failed {Attempts} times over the give-up period and was disabled")]
    private partial void LogDisabled(Guid id, string url, int attempts);
}

/// <summary>
/// Runs the webhook deliveries on every replica; leases keep each subscription on one at a time.
/// Deliveries run on their own: the loop starts what is due each poll and never waits for a
/// delivery under way, only looks again at once when one delivered something (more may be waiting).
/// </summary>
public sealed partial class WebhookLoop(WebhookDispatcher dispatcher, WebhookOptions options, TimeProvider time, ILogger<WebhookLoop> logger) : BackgroundService
{
    private TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!options.Enabled)
            return;
        await Task.Yield();
        var running = new List<Task<int>>();
        while (!ct.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            var wake = _delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                // Deliveries under way finish on shutdown (each call has its own timeout), so
                // the subscriptions' positions and leases are left as they should be.
                foreach (var delivery in await dispatcher.Start(CancellationToken.None))
                {
                    running.Add(delivery);
                    _ = delivery.ContinueWith(Ended, TaskScheduler.Default);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogFailed(e);
            }
            await Task.WhenAny(wake.Task, Task.Delay(options.PollInterval, time, ct));
        }
        try
        {
            await Task.WhenAll(running);
        }
        catch (Exception e)
        {
            LogFailed(e);
        }
    }

    private void Ended(Task<int> delivery)
    {
        if (delivery.IsFaulted)
            LogFailed(delivery.Exception!);
        else if (delivery.IsCompletedSuccessfully && delivery.Result > 0)
            Volatile.Read(ref _delivered).TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery failed; retrying")]
    private partial void LogFailed(Exception error);
}
