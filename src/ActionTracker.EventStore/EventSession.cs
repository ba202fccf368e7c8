using Npgsql;
using NpgsqlTypes;
using ActionTracker.EventStore.Schema;

namespace ActionTracker.EventStore;

/// <summary>
/// A unit of work: read streams for writing, append to them, queue other writes, then
/// <see cref="SaveChanges"/> sends everything (stream guards, events, inline projections, queued
/// writes) as one batch in one transaction: one round trip for an optimistic write.
/// </summary>
public sealed class EventSession : IAsyncDisposable, ISqlWriter
{
    private readonly EventStore _store;
    private readonly EventMetadata _metadata;
    private readonly List<ITrackedStream> _streams = [];
    private readonly List<NpgsqlBatchCommand> _queued = [];
    private readonly List<NpgsqlBatchCommand> _first = [];
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private readonly bool _enlisted;

    internal EventSession(EventStore store, EventMetadata metadata)
    {
        _store = store;
        _metadata = metadata;
    }

    /// <summary>
    /// A session inside a transaction someone else owns (a scheduled step, a daemon): reads and
    /// writes go through it, and saving neither commits nor closes it.
    /// </summary>
    internal EventSession(EventStore store, EventMetadata metadata, NpgsqlConnection connection, NpgsqlTransaction transaction)
        : this(store, metadata)
    {
        _connection = connection;
        _transaction = transaction;
        _enlisted = true;
    }

    public EventMetadata Metadata => _metadata;

    /// <summary>The transaction of a session enlisted in someone else's (a scheduled step's), for other stores to join.</summary>
    public NpgsqlTransaction? EnlistedTransaction => _enlisted ? _transaction : null;

    /// <summary>
    /// Reads a stream's state and version in one round trip, or null when it has no events.
    /// With <paramref name="exclusive"/> the session holds the stream's lock until it saves or is
    /// disposed, so no other writer can slip in between the read and the append: the way to make
    /// progress on a hot stream after an optimistic attempt lost a race.
    /// </summary>
    public async Task<AggregateStream<TState>?> FetchForWriting<TState>(Guid id, bool exclusive = false, CancellationToken ct = default)
        where TState : class
    {
        var definition = _store.Definition<TState>();
        var snapshot = _store.Snapshot<TState>();
        var read = snapshot?.Sql ?? "select type, data, version from events where stream_id = $1 order by version";
        NpgsqlDataReader reader;
        NpgsqlBatch? batch = null;
        NpgsqlCommand? command = null;
        if (exclusive)
        {
            var connection = await Transaction(ct);
            batch = new NpgsqlBatch(connection, _transaction)
            {
                BatchCommands =
                {
                    LockStream(id),
                    new NpgsqlBatchCommand(read) { Parameters = { new() { Value = id } } },
                },
            };
            reader = await batch.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
        }
        else if (_enlisted)
        {
            command = new NpgsqlCommand(read, _connection, _transaction);
            command.Parameters.Add(new() { Value = id });
            reader = await command.ExecuteReaderAsync(ct);
        }
        else
        {
            command = _store.DataSource.CreateCommand(read);
            command.Parameters.Add(new() { Value = id });
            reader = await command.ExecuteReaderAsync(ct);
        }

        TState? state = null;
        long version = 0;
        await using (reader)
        {
            if (snapshot is not null)
            {
                if (await reader.ReadAsync(ct))
                    (state, version) = snapshot.Read(reader);
            }
            else
            {
                while (await reader.ReadAsync(ct))
                {
                    state = definition.Evolve(state, _store.Deserialize(reader.GetString(0), reader.GetString(1)));
                    version = reader.GetInt64(2);
                }
            }
        }
        if (batch is not null) await batch.DisposeAsync();
        if (command is not null) await command.DisposeAsync();

        if (state is null)
            return null;
        var stream = new AggregateStream<TState>(id, state, version, definition, _store.Time);
        _streams.Add(new TrackedStream<TState>(stream, _store));
        return stream;
    }

    /// <summary>Takes a stream's lock until the transaction ends, as every append does first (see stream_lock_key).</summary>
    internal static NpgsqlBatchCommand LockStream(Guid id) =>
        new("select pg_advisory_xact_lock(stream_lock_key($1))") { Parameters = { new() { Value = id } } };

    /// <summary>Starts a new stream; saving fails with a conflict when the id is taken.</summary>
    public AggregateStream<TState> StartStream<TState>(Guid id, IEnumerable<object> events) where TState : class
    {
        var stream = new AggregateStream<TState>(id, null, 0, _store.Definition<TState>(), _store.Time);
        stream.Append(events);
        _streams.Add(new TrackedStream<TState>(stream, _store));
        return stream;
    }

    /// <summary>Queues a write that commits or fails with the events, e.g. an outbox row.</summary>
    public void Queue(string sql, params object?[] parameters) => _queued.Add(ProjectionBatch.Command(sql, parameters));

    /// <summary>
    /// Queues a write that runs before everything else the session saves (the scheduler's claim,
    /// ahead of the projections that may schedule the same key again). The caller must already
    /// hold the locks of the streams it appends to.
    /// </summary>
    internal void QueueFirst(string sql, params object?[] parameters) => _first.Add(ProjectionBatch.Command(sql, parameters));

    void ISqlWriter.Add(string sql, params object?[] parameters) => Queue(sql, parameters);

    public bool HasChanges => _first.Count > 0 || _queued.Count > 0 || _streams.Any(s => s.HasPending);

    /// <summary>
    /// Commits everything appended and queued. A stream that moved since it was read raises
    /// <see cref="ConcurrencyException"/> and nothing is written.
    /// </summary>
    public async Task SaveChanges(CancellationToken ct = default)
    {
        if (!HasChanges)
        {
            await Release();
            return;
        }

        using var activity = StoreTelemetry.Source.StartActivity("append");
        activity?.SetTag("actiontracker.streams", _streams.Count(s => s.HasPending));
        var now = _store.Time.GetUtcNow().ToUniversalTime();
        var metadataJson = _store.Serialize(_metadata);
        var connection = _connection ?? await _store.DataSource.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch(connection, _transaction);
            // Lock order by id so two sessions writing the same streams cannot deadlock.
            var pending = _streams.Where(s => s.HasPending).OrderBy(s => s.Id).ToList();
            // With several streams, every lock comes before the first write: the transaction
            // must be given its id only once it holds the locks of all the streams it appends to
            // (see stream_lock_key), or a later writer of the second stream could commit under a
            // smaller id and be read before this one.
            if (pending.Count > 1)
                foreach (var stream in pending)
                    batch.BatchCommands.Add(LockStream(stream.Id));
            foreach (var command in _first)
                batch.BatchCommands.Add(command);
            foreach (var stream in pending)
                stream.AddWrites(batch, now, _metadata, metadataJson);
            foreach (var command in _queued)
                batch.BatchCommands.Add(command);

            // Without an explicit transaction PostgreSQL runs the batch as one implicit
            // transaction: any failing statement rolls back all of it.
            await batch.ExecuteNonQueryAsync(ct);
            if (_transaction is not null && !_enlisted)
                await _transaction.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == EventStoreSchema.VersionConflictState ||
                                          e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "events_stream_version" })
        {
            var stream = _streams.FirstOrDefault(s => s.HasPending);
            throw new ConcurrencyException(stream?.Id ?? Guid.Empty, stream?.StartingVersion, e.MessageText);
        }
        finally
        {
            if (_connection is null)
                await connection.DisposeAsync();
            await Release();
        }
    }

    private async Task<NpgsqlConnection> Transaction(CancellationToken ct)
    {
        if (_connection is null)
        {
            _connection = await _store.DataSource.OpenConnectionAsync(ct);
            _transaction = await _connection.BeginTransactionAsync(ct);
        }
        return _connection;
    }

    private async Task Release()
    {
        _streams.Clear();
        _first.Clear();
        _queued.Clear();
        if (_enlisted)
            return;
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
            _transaction = null;
        }
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    public async ValueTask DisposeAsync() => await Release();

    private interface ITrackedStream
    {
        Guid Id { get; }
        long StartingVersion { get; }
        bool HasPending { get; }
        void AddWrites(NpgsqlBatch batch, DateTimeOffset now, EventMetadata metadata, string metadataJson);
    }

    private sealed class TrackedStream<TState>(AggregateStream<TState> stream, EventStore store) : ITrackedStream
        where TState : class
    {
        public Guid Id => stream.Id;
        public long StartingVersion => stream.StartingVersion;
        public bool HasPending => stream.Pending.Count > 0;

        public void AddWrites(NpgsqlBatch batch, DateTimeOffset now, EventMetadata metadata, string metadataJson)
        {
            var pending = stream.Pending;
            batch.BatchCommands.Add(stream.StartingVersion == 0
                ? new NpgsqlBatchCommand("select start_stream($1, $2, $3, $4)")
                {
                    Parameters = { new() { Value = stream.Id }, new() { Value = stream.StreamType }, new() { Value = stream.Version }, new() { Value = now } },
                }
                : new NpgsqlBatchCommand("select append_guard($1, $2, $3, $4)")
                {
                    Parameters = { new() { Value = stream.Id }, new() { Value = stream.StartingVersion }, new() { Value = stream.Version }, new() { Value = now } },
                });

            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                insert into events (id, stream_id, version, type, data, metadata, occurred_at)
                select e.id, $1, e.version, e.type, e.data, $6, $7
                  from unnest($2::uuid[], $3::bigint[], $4::text[], $5::jsonb[]) as e(id, version, type, data)
                """)
            {
                Parameters =
                {
                    new() { Value = stream.Id },
                    new() { Value = pending.Select(e => e.Id).ToArray() },
                    new() { Value = pending.Select(e => e.Version).ToArray() },
                    new() { Value = pending.Select(e => store.Types.NameOf(e.Data.GetType())).ToArray() },
                    new() { Value = pending.Select(e => store.Serialize(e.Data)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                    new() { Value = metadataJson, NpgsqlDbType = NpgsqlDbType.Jsonb },
                    new() { Value = now },
                },
            });

            var change = new ProjectionChange<TState>(stream.Id, stream.State!, stream.Version, pending, metadata);
            var projections = new ProjectionBatch(batch);
            foreach (var projection in store.Projections<TState>())
                projection.Project(change, projections);
        }
    }
}
