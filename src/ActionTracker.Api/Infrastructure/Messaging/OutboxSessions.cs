using ActionTracker.Api.Infrastructure.Store;
using Marten;
using Wolverine;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace ActionTracker.Api.Infrastructure.Messaging;

/// <summary>A Marten session and a message bus enlisted in its transaction: messages sent or scheduled on the bus commit with the session's changes.</summary>
public sealed record OutboxSession(IDocumentSession Session, IMessageBus Bus) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Session.DisposeAsync();
}

/// <summary>
/// Opens sessions enlisted in Wolverine's outbox for code outside a Wolverine handler (HTTP
/// endpoints, the demo seed, imports). Each session gets a bus of its own, so a failed attempt's
/// messages are dropped with its transaction instead of riding along with the next attempt.
/// </summary>
public sealed class OutboxSessions(OutboxedSessionFactory factory, IWolverineRuntime runtime)
{
    public OutboxSession Open(EventMetadata metadata)
    {
        var bus = new MessageContext(runtime);
        if (metadata.CorrelationId is { } correlation)
            bus.CorrelationId = correlation;
        var session = factory.OpenSession(bus);
        session.Stamp(metadata);
        return new OutboxSession(session, bus);
    }
}
