using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ActionTracker.EventStore;

/// <summary>
/// Streams of events on PostgreSQL: read a stream, open a session to append, read everything in
/// commit-safe order. Knows nothing of the application's events beyond the type registry.
/// </summary>
public sealed class EventStore(
    NpgsqlDataSource dataSource,
    EventTypeRegistry types,
    EventStoreOptions options,
    IServiceProvider services,
    TimeProvider time)
{
    private const string EventColumns = "seq, tx_id, id, stream_id, version, type, data, metadata, occurred_at";

    internal NpgsqlDataSource DataSource => dataSource;

    /// <summary>The JSON settings events are stored with; messages use them too.</summary>
    public JsonSerializerOptions JsonOptions => options.Json;
    internal TimeProvider Time => time;
    internal EventTypeRegistry Types => types;

    public EventSession OpenSession(EventMetadata metadata) => new(this, metadata);

    /// <summary>A session inside the caller's transaction; saving does not commit it.</summary>
    public EventSession OpenSession(EventMetadata metadata, NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        new(this, metadata, connection, transaction);

    internal IAggregateDefinition<TState> Definition<TState>() where TState : class =>
        services.GetRequiredService<IAggregateDefinition<TState>>();

    internal IStateSnapshot<TState>? Snapshot<TState>() where TState : class =>
        services.GetService<IStateSnapshot<TState>>();

    internal IEnumerable<IInlineProjection<TState>> Projections<TState>() where TState : class =>
        services.GetServices<IInlineProjection<TState>>();

    /// <summary>Every event of one stream, in version order.</summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadStream(Guid streamId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"select {EventColumns} from events where stream_id = $1 order by version");
        command.Parameters.Add(new() { Value = streamId });
        return await ReadEvents(command, ct);
    }

    /// <summary>
    /// Events after <paramref name="after"/> in (tx_id, seq) order, up to the horizon: only
    /// transactions older than every transaction still running are read, so nothing committed
    /// later can ever appear behind a position already returned.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAll(Position after, int limit, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select {EventColumns} from events
             where (tx_id, seq) > ($1::text::xid8, $2)
               and tx_id < store_horizon()
             order by tx_id, seq
             limit $3
            """);
        command.Parameters.Add(new() { Value = after.TxId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        command.Parameters.Add(new() { Value = after.Seq });
        command.Parameters.Add(new() { Value = limit });
        return await ReadEvents(command, ct);
    }

    internal async Task<IReadOnlyList<StoredEvent>> ReadEvents(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(ct))
            events.Add(ReadEvent(reader, 0));
        return events;
    }

    internal StoredEvent ReadEvent(NpgsqlDataReader reader, int first) => new(
        reader.GetInt64(first),
        reader.GetFieldValue<ulong>(first + 1),
        reader.GetGuid(first + 2),
        reader.GetGuid(first + 3),
        reader.GetInt64(first + 4),
        reader.GetString(first + 5),
        Deserialize(reader.GetString(first + 5), reader.GetString(first + 6)),
        JsonSerializer.Deserialize<EventMetadata>(reader.GetString(first + 7), options.Json)!,
        reader.GetFieldValue<DateTimeOffset>(first + 8));

    internal object Deserialize(string type, string json) =>
        types.TypeOf(type) is { } clr
            ? JsonSerializer.Deserialize(json, clr, options.Json)!
            : JsonSerializer.Deserialize<JsonElement>(json, options.Json);

    internal string Serialize(object @event) => JsonSerializer.Serialize(@event, @event.GetType(), options.Json);

    internal string Serialize(EventMetadata metadata) => JsonSerializer.Serialize(metadata, options.Json);
}

public sealed class EventStoreOptions
{
    public JsonSerializerOptions Json { get; set; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
