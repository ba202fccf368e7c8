using Npgsql;

namespace ActionTracker.Api.Infrastructure.Messaging;

/// <summary>
/// The few questions about Wolverine's inbox that its API does not answer by message type: is a
/// message of this type waiting in the schedule, and take it out. Run on the caller's connection,
/// inside its transaction.
/// </summary>
public sealed class MessageStoreTables(string schema)
{
    public const string DefaultSchema = "wolverine";

    public string Schema => schema;

    public string Incoming => $"{schema}.wolverine_incoming_envelopes";

    public string DeadLetters => $"{schema}.wolverine_dead_letters";

    public async Task<long> ScheduledCount(NpgsqlConnection connection, string messageType, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select count(*) from {Incoming} where status = 'Scheduled' and message_type = $1", connection);
        command.Parameters.Add(new() { Value = messageType });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task CancelScheduled(NpgsqlConnection connection, string messageType, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"delete from {Incoming} where status = 'Scheduled' and message_type = $1", connection);
        command.Parameters.Add(new() { Value = messageType });
        await command.ExecuteNonQueryAsync(ct);
    }
}
