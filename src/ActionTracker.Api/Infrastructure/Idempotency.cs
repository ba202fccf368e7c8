using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActionTracker.EventStore;
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

    public void Record(EventSession session, string caller, string key, StoredResponse response) =>
        session.Queue(
            "insert into idempotency_keys (caller, key, fingerprint, status, location, etag, body, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            caller, key, response.Fingerprint, response.Status, response.Location, response.ETag,
            ProjectionBatch.Jsonb(response.Body), time.GetUtcNow());

    /// <summary>Identifies a request: the same key with a different request is refused.</summary>
    public static string Fingerprint(string operation, object request, JsonSerializerOptions json) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(operation + "\n" + JsonSerializer.Serialize(request, request.GetType(), json))));
}
