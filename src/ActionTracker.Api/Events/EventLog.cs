using ActionTracker.Api.Infrastructure.Store;
using System.Collections.Frozen;
using System.Text.Json;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace ActionTracker.Api.Events;

/// <summary>An event of the global log, with its place in it and the context it was written in.</summary>
public sealed record LoggedEvent(
    LogPosition Position,
    Guid Id,
    Guid StreamId,
    long Version,
    string Type,
    object Data,
    DateTimeOffset OccurredAt,
    string? Actor,
    string? CorrelationId,
    string? CausationId,
    string? TraceParent,
    string? TraceState);

/// <summary>
/// A page of the log and where the next read starts. <see cref="Next"/> is past every event read;
/// when the page was not full (<see cref="AtMark"/>), it is the high-water mark itself, so a
/// reader whose filter matched nothing still moves on.
/// </summary>
public sealed record LogPage(IReadOnlyList<LoggedEvent> Events, LogPosition Next, bool AtMark);

/// <summary>
/// The one reader of the global event log (Marten's <c>mt_events</c>), for the feed, the stream,
/// webhooks and the broker relay. A sequence number is taken when an event is inserted, not when
/// it commits, so reading past the last number seen can skip an event that commits later with a
/// lower one. This reader never returns an event above Marten's high-water mark, which the async
/// daemon moves only past numbers that are committed or can no longer be (it holds before a gap
/// while a transaction that may fill it is alive). Without a running daemon the mark stands still
/// (or is absent, and nothing is read): the log then falls behind, but never skips.
/// </summary>
public sealed class EventLog
{
    /// <summary>The stored header that carries the W3C trace context of the change (<see cref="EventMetadata"/>).</summary>
    public const string TraceParentHeader = EventMetadata.TraceParentHeader;

    public const string TraceStateHeader = EventMetadata.TraceStateHeader;

    private readonly NpgsqlDataSource _db;
    private readonly ISerializer _serializer;
    private readonly FrozenDictionary<string, Type> _types;
    private readonly FrozenDictionary<Type, string> _names;
    private readonly string _read;
    private readonly string _head;
    private readonly string _lag;

    public EventLog(IDocumentStore store, NpgsqlDataSource db)
    {
        _db = db;
        _serializer = store.Options.Serializer();
        // Stored names come from Marten's own mapping (snake_case record names, or a
        // MapEventType name), so a rename there is followed here.
        var known = store.Options.Events.AllKnownEventTypes();
        _types = known.DistinctBy(t => t.EventTypeName).ToFrozenDictionary(t => t.EventTypeName, t => t.EventType, StringComparer.Ordinal);
        _names = known.ToFrozenDictionary(t => t.EventType, t => t.EventTypeName);
        var schema = store.Options.Events.DatabaseSchemaName;
        EventsTable = $"{schema}.mt_events";
        var mark = $"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = 'HighWaterMark'), 0) as seq";
        // The epoch a sequence number belongs to: the latest one that began at or below it.
        static string EpochOf(string sequence) => $"(select coalesce(max(epoch), 0) from epochs where first_seq <= {sequence})";
        _read =
            $"""
            with mark as materialized ({mark}),
            epochs as materialized (select epoch, first_seq from {EventLogEpochs.Table}),
            -- A cursor of an earlier epoch resumes no later than where the next epoch began: the
            -- sequence went back there, so numbers past the cursor may have been handed out again.
            cursor as materialized (select least($2::bigint, (select min(first_seq) - 1 from epochs where epoch > $1::bigint)) as after)
            select m.seq, {EpochOf("m.seq")},
                   e.seq_id, e.epoch, e.id, e.stream_id, e.version, e.type, e.data, e.timestamp,
                   e.user_name, e.correlation_id, e.causation_id, e.traceparent, e.tracestate
              from mark m cross join cursor c
              left join lateral (
                  select e.seq_id, {EpochOf("e.seq_id")} as epoch, e.id, e.stream_id, e.version, e.type,
                         e.data, e.timestamp, e.user_name, e.correlation_id, e.causation_id,
                         e.headers ->> '{TraceParentHeader}' as traceparent, e.headers ->> '{TraceStateHeader}' as tracestate
                    from {EventsTable} e
                   where e.seq_id > c.after and e.seq_id <= m.seq and ($4::text[] is null or e.type = any($4))
                   order by e.seq_id
                   limit $3) e on true
             order by e.seq_id
            """;
        _head =
            $"""
            with mark as materialized ({mark}),
            epochs as materialized (select epoch, first_seq from {EventLogEpochs.Table})
            select m.seq, {EpochOf("m.seq")} from mark m
            """;
        _lag =
            $"""
            with mark as materialized ({mark})
            select extract(epoch from (select timestamp from {EventsTable} order by seq_id desc limit 1)
                   - coalesce((select timestamp from {EventsTable} where seq_id <= (select seq from mark) order by seq_id desc limit 1),
                              (select timestamp from {EventsTable} order by seq_id limit 1)))::float8
            """;
    }

    /// <summary>The events table, schema-qualified, for lookups of a stream's own history.</summary>
    public string EventsTable { get; }

    /// <summary>The stored name of an event class.</summary>
    public string NameOf(Type type) =>
        _names.TryGetValue(type, out var name) ? name : throw new InvalidOperationException($"Event type {type.Name} is not registered with Marten.");

    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="after"/> and at or below the
    /// high-water mark, oldest first; with <paramref name="types"/> (stored names), only those.
    /// </summary>
    public async Task<LogPage> Read(LogPosition after, int limit, IReadOnlyCollection<string>? types, CancellationToken ct)
    {
        await using var command = _db.CreateCommand(_read);
        command.Parameters.Add(new() { Value = after.Epoch, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = after.Sequence, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new()
        {
            Value = types is null ? DBNull.Value : types.ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
        });
        var events = new List<LoggedEvent>(Math.Min(limit, 1000));
        var mark = after;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                mark = new LogPosition(reader.GetInt64(1), reader.GetInt64(0));
                if (reader.IsDBNull(2))
                    break; // nothing new: the one row carries only the mark
                events.Add(await ReadEvent(reader, ct));
            }
        }
        // A short page ends at the mark: past everything there is, matching or not. A cursor
        // already past the mark (the mark went back, or an abandoned epoch's cursor) stays.
        var atMark = events.Count < limit;
        return new LogPage(events, atMark ? LogPosition.Max(after, mark) : events[^1].Position, atMark);
    }

    /// <summary>The position of the high-water mark: everything at or below it can be read, and nothing will appear there later.</summary>
    public async Task<LogPosition> Head(CancellationToken ct)
    {
        await using var command = _db.CreateCommand(_head);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new LogPosition(reader.GetInt64(1), reader.GetInt64(0));
    }

    /// <summary>How far the readable end of the log is behind the newest event, in event time (zero when caught up or empty).</summary>
    public async Task<TimeSpan> Lag(CancellationToken ct)
    {
        await using var command = _db.CreateCommand(_lag);
        return await command.ExecuteScalarAsync(ct) is double seconds ? TimeSpan.FromSeconds(Math.Max(0, seconds)) : TimeSpan.Zero;
    }

    private async Task<LoggedEvent> ReadEvent(NpgsqlDataReader r, CancellationToken ct)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var type = r.GetString(7);
        // An event this build does not know (a newer replica wrote it) keeps its JSON; the
        // public mapping passes it by, and the reader moves past it all the same.
        var data = _types.TryGetValue(type, out var clr)
            ? await _serializer.FromJsonAsync(clr, r, 8, ct)
            : JsonSerializer.Deserialize<JsonElement>(r.GetString(8));
        return new LoggedEvent(
            new LogPosition(r.GetInt64(3), r.GetInt64(2)), r.GetGuid(4), r.GetGuid(5), r.GetInt64(6), type, data,
            r.GetFieldValue<DateTimeOffset>(9), Text(10), Text(11), Text(12), Text(13), Text(14));
    }
}
