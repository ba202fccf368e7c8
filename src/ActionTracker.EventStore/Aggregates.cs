using Npgsql;
using NpgsqlTypes;

namespace ActionTracker.EventStore;

/// <summary>How a stream folds into state: the stream type and the pure evolve function.</summary>
public interface IAggregateDefinition<TState> where TState : class
{
    string StreamType { get; }
    TState Evolve(TState? state, object @event);
}

/// <summary>
/// A stream's state read from a row that an inline projection keeps, instead of folding every
/// event: the row is written in the same transaction as the events, so it always holds the fold
/// and its version, and a write then costs the same however long the stream's history is. The
/// row must carry every field of the state (a test should compare it with the fold).
/// </summary>
public interface IStateSnapshot<TState> where TState : class
{
    /// <summary>One row for the stream id in <c>$1</c>, none when the stream does not exist.</summary>
    string Sql { get; }

    (TState State, long Version) Read(NpgsqlDataReader row);
}

/// <summary>
/// A read model written in the same transaction as the events, like Marten's inline
/// projections: it can never lag behind or disagree with the stream.
/// </summary>
public interface IInlineProjection<TState> where TState : class
{
    void Project(ProjectionChange<TState> change, ProjectionBatch batch);
}

/// <summary>What an append did to one stream: the state and version after it and the new events.</summary>
public sealed record ProjectionChange<TState>(
    Guid StreamId,
    TState State,
    long Version,
    IReadOnlyList<PendingEvent> Events,
    EventMetadata Metadata) where TState : class;

/// <summary>Something that takes SQL to run in the current transaction; positional parameters ($1, $2, ...).</summary>
public interface ISqlWriter
{
    void Add(string sql, params object?[] parameters);
}

/// <summary>Adds SQL to the append's batch; positional parameters ($1, $2, ...).</summary>
public sealed class ProjectionBatch : ISqlWriter
{
    private readonly NpgsqlBatch _batch;

    internal ProjectionBatch(NpgsqlBatch batch) => _batch = batch;

    public void Add(string sql, params object?[] parameters) => _batch.BatchCommands.Add(Command(sql, parameters));

    internal static NpgsqlBatchCommand Command(string sql, object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters)
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value },
                NpgsqlParameter p => p,
                _ => new NpgsqlParameter { Value = value },
            });
        return command;
    }

    /// <summary>A jsonb parameter from already-serialized JSON text.</summary>
    public static NpgsqlParameter Jsonb(string? json) =>
        new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)json ?? DBNull.Value };
}

/// <summary>
/// One stream opened for writing: its state and version as read, and what this session appends.
/// </summary>
public sealed class AggregateStream<TState> where TState : class
{
    private readonly IAggregateDefinition<TState> _definition;
    private readonly TimeProvider _time;
    private readonly List<PendingEvent> _pending = [];

    internal AggregateStream(Guid id, TState? state, long version, IAggregateDefinition<TState> definition, TimeProvider time)
    {
        Id = id;
        State = state;
        StartingVersion = version;
        _definition = definition;
        _time = time;
    }

    public Guid Id { get; }

    /// <summary>The state including the events appended in this session; null for a stream not yet started.</summary>
    public TState? State { get; private set; }

    /// <summary>The version the stream had when read; zero for a new stream.</summary>
    public long StartingVersion { get; }

    /// <summary>The version after the pending events.</summary>
    public long Version => StartingVersion + _pending.Count;

    public IReadOnlyList<PendingEvent> Pending => _pending;

    public string StreamType => _definition.StreamType;

    public void Append(IEnumerable<object> events)
    {
        foreach (var @event in events)
        {
            _pending.Add(new PendingEvent(Guid.CreateVersion7(_time.GetUtcNow()), Version + 1, @event));
            State = _definition.Evolve(State, @event);
        }
    }
}
