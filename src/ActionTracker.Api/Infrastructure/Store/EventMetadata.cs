namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>Who caused the events a session appends and in what context (Marten's event metadata).</summary>
public sealed record EventMetadata(
    string Actor,
    string? CorrelationId = null,
    string? CausationId = null,
    string? TraceParent = null,
    string? TraceState = null)
{
    /// <summary>The session header (<c>IDocumentSession.SetHeader</c>) that carries the W3C trace context of the change.</summary>
    public const string TraceParentHeader = "traceparent";

    public const string TraceStateHeader = "tracestate";
}
