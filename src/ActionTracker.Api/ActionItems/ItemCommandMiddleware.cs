using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using JasperFx.Events;
using Marten;
using Wolverine.Persistence.EventSourcing;
using Wolverine.Runtime;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// What every command on an existing item needs beyond Wolverine's aggregate workflow, applied
/// to each of their handlers (<c>Policies.ForMessagesOfType&lt;IItemCommand&gt;()</c>). It runs
/// after the stream is fetched under its lock, so the version it checks is the one the events
/// will follow: a writer without If-Match waits for the lock instead of losing a race, and one
/// with a stale If-Match is refused before anything is decided.
/// </summary>
public static class ItemCommandMiddleware
{
    public static Task<DecisionContext> LoadAsync(
        IItemCommand command, IEventStream<ActionItem> stream, IDocumentSession session, DecisionContexts contexts, CancellationToken ct)
    {
        var request = command.Request;
        session.Stamp(request.Metadata);
        if (stream.Aggregate is not { } item)
            throw new ResourceNotFound($"No action item {command.ActionItemId}.");
        var current = stream.StartingVersion ?? 0;
        if (request.IfMatch is { } expected && expected != current)
            throw new VersionMismatch(expected, current);
        // Who leads the item's team decides what the caller may do (a move to another team included).
        return contexts.For(request.Caller, item.Team, ct);
    }

    public static Task AfterAsync(
        IItemCommand command, IEventStream<ActionItem> stream, EventsToAppend events, DecisionContext context,
        IDocumentSession session, MessageContext bus, ItemWrites writes, CancellationToken ct) =>
        writes.Complete(command, stream.Aggregate, stream.StartingVersion ?? 0, events, context, session, bus, ct);
}
