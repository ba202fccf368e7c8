using Marten;

namespace ActionTracker.Api.Infrastructure.Store;

public static class SessionExtensions
{
    /// <summary>SQL of ours that commits (or fails) with the session's events, in the same batch.</summary>
    public static ISqlWriter Sql(this IDocumentSession session) => new SessionSql(session);

    /// <summary>
    /// The metadata of the events this session appends: the actor (user_name), correlation and
    /// causation ids, and the trace context (headers), so a consumer can continue the trace.
    /// </summary>
    public static IDocumentSession Stamp(this IDocumentSession session, EventMetadata metadata)
    {
        session.LastModifiedBy = metadata.Actor;
        session.CorrelationId = metadata.CorrelationId;
        session.CausationId = metadata.CausationId;
        if (metadata.TraceParent is { } parent)
            session.SetHeader(EventMetadata.TraceParentHeader, parent);
        if (metadata.TraceState is { Length: > 0 } state)
            session.SetHeader(EventMetadata.TraceStateHeader, state);
        return session;
    }

    private sealed class SessionSql(IDocumentSession session) : ISqlWriter
    {
        public void Add(string sql, params object?[] parameters) => session.QueueOperation(new SqlOperation(sql, parameters));
    }
}
