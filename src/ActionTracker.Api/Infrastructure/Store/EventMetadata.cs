namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>Who caused the events a session appends and in what context (Marten's event metadata).</summary>
public sealed record EventMetadata(
    string Actor,
    string? CorrelationId = null,
    string? CausationId = null,
    string? TraceParent = null,
    string? TraceState = null);
