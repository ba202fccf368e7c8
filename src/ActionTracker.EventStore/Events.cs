namespace ActionTracker.EventStore;

/// <summary>Who caused an event and in what context; stored beside the event as JSON.</summary>
public sealed record EventMetadata(
    string Actor,
    string? CorrelationId = null,
    string? CausationId = null,
    string? TraceParent = null,
    string? TraceState = null);

/// <summary>An event as stored, with its place in its stream and in the global order.</summary>
public sealed record StoredEvent(
    long Seq,
    ulong TxId,
    Guid Id,
    Guid StreamId,
    long Version,
    string Type,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset OccurredAt)
{
    public Position Position => new(TxId, Seq);
}

/// <summary>An event about to be appended, with the version it will have in its stream.</summary>
public sealed record PendingEvent(Guid Id, long Version, object Data);

/// <summary>The expected version did not match: another writer got there first.</summary>
public sealed class ConcurrencyException(Guid streamId, long? expected, string message)
    : Exception(message)
{
    public Guid StreamId { get; } = streamId;
    public long? ExpectedVersion { get; } = expected;
}
