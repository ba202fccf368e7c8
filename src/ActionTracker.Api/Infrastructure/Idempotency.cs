using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActionTracker.Api.Infrastructure.Store;
using Npgsql;

namespace ActionTracker.Api.Infrastructure;

/// <summary>A response recorded under an Idempotency-Key.</summary>
public sealed record StoredResponse(string Fingerprint, int Status, string? Location, string? ETag, string Body);

/// <summary>
/// Idempotency keys kept in PostgreSQL and written in the same transaction as the command's
/// events: either both land or neither does, so a retry after a crash or a lost response
/// either finds the first response or runs the command for the first time.
/// </summary>
public sealed class IdempotencyKeys(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const int MaxKeyLength = 200;
    public const string Constraint = "idempotency_keys_pkey";

    public async Task<StoredResponse?> Find(string caller, string key, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select fingerprint, status, location, etag, body from idempotency_keys where caller = $1 and key = $2");
        command.Parameters.Add(new() { Value = caller });
        command.Parameters.Add(new() { Value = key });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        return new StoredResponse(
            reader.GetString(0), reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4));
    }

    public void Record(ISqlWriter writer, string caller, string key, StoredResponse response) =>
        writer.Add(
            "insert into idempotency_keys (caller, key, fingerprint, status, location, etag, body, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            caller, key, response.Fingerprint, response.Status, response.Location, response.ETag,
            SqlParameters.Jsonb(response.Body), time.GetUtcNow());

    /// <summary>
    /// Deletes keys recorded before <paramref name="before"/>, a bounded batch at a time; returns
    /// how many went. A key is kept at least as long as the retention (deleted only afterwards),
    /// so a retry within it never acts twice.
    /// </summary>
    public async Task<int> Expire(DateTimeOffset before, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            await using var delete = dataSource.CreateCommand(
                """
                delete from idempotency_keys where (caller, key) in
                    (select caller, key from idempotency_keys where created_at < $1 limit 5000)
                """);
            delete.Parameters.Add(new() { Value = before });
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            total += deleted;
            if (deleted < 5000)
                return total;
        }
    }

    /// <summary>Identifies a request: the same key with a different request is refused.</summary>
    public static string Fingerprint(string operation, object request, JsonSerializerOptions json) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(operation + "\n" + JsonSerializer.Serialize(request, request.GetType(), json))));
}

public sealed class IdempotencyOptions
{
    /// <summary>How long a key's response is kept for retries (configuration <c>Idempotency:Retention</c>).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Run the cleanup loop on this replica.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>Deletes idempotency keys past their retention, on every replica (deletes are idempotent).</summary>
public sealed partial class IdempotencyCleanup(IdempotencyKeys keys, IdempotencyOptions options, TimeProvider time, ILogger<IdempotencyCleanup> logger)
    : BackgroundService
{
    public Task<int> RunOnce(CancellationToken ct = default) => keys.Expire(time.GetUtcNow() - options.Retention, ct);

    protected override Task ExecuteAsync(CancellationToken ct) => options.Enabled
        ? PollingLoop.Run(async step =>
            {
                if (await RunOnce(step) is var deleted and > 0)
                    LogExpired(deleted);
            }, options.CleanupInterval, time, LogFailed, ct)
        : Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Count} idempotency keys")]
    private partial void LogExpired(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiring idempotency keys failed; trying again later")]
    private partial void LogFailed(Exception error);
}
