using System.Diagnostics;
using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Teams;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// The Wolverine handler every item command runs in. Wolverine opens the Marten session enlisted
/// in its outbox, commits it after this returns (events, the read model, the idempotency record
/// and the next deadline check in one transaction) and, when a writer without If-Match loses the
/// race for the stream, runs it again (the chain's retry policy, <see cref="Infrastructure.Messaging.InlineCommands"/>):
/// a second attempt takes the stream's row lock before it reads, so it cannot lose again.
/// </summary>
public static class RunItemCommandHandler
{
    public static async Task<ItemCommandOutcome> Handle(
        RunItemCommand command,
        Envelope envelope,
        IDocumentSession session,
        IMessageBus bus,
        ItemStreams items,
        IdempotencyKeys idempotency,
        TeamDirectory teams,
        TimeProvider time,
        DueDatePolicy policy,
        ServiceMetrics metrics,
        IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        var request = command.Request;
        if (envelope.Attempts > 1)
        {
            Activity.Current?.AddEvent(new ActivityEvent("concurrency conflict; deciding again under the stream lock"));
            metrics.Conflict(command.Name);
        }

        session.Stamp(request.Metadata);
        var now = time.Now();
        ActionItem item;
        long version;
        try
        {
            if (command.Create is { } create)
            {
                var context = new DecisionContext(await teams.WithListedLeads(request.Caller, create.Team, ct), now, policy);
                var events = ActionItemDecider.Decide(null, create, context);
                item = await items.Start(session, bus, command.ItemId, events);
                version = events.Count;
            }
            else
            {
                var stream = envelope.Attempts > 1
                    ? await session.Events.FetchForExclusiveWriting<ActionItem>(command.ItemId, ct)
                    : await session.Events.FetchForWriting<ActionItem>(command.ItemId, ct);
                if (stream.Aggregate is null)
                    throw new ResourceNotFound($"No action item {command.ItemId}.");
                var current = stream.CurrentVersion ?? 0;
                if (request.IfMatch is { } expected && expected != current)
                    throw new VersionMismatch(expected, current);
                // Who leads the item's team decides what the caller may do (a move to another team included).
                var leading = await teams.WithListedLeads(request.Caller, stream.Aggregate.Team, ct);
                var events = ActionItemDecider.Decide(stream.Aggregate, command.Update!, new DecisionContext(leading, now, policy));
                item = await items.Append(bus, stream, events);
                version = current + events.Count;
            }
        }
        catch (Exception e) when (e is DomainException or ApiException)
        {
            return ItemCommandOutcome.Refused(e);
        }

        var body = command.Respond(item, version, now);
        var etag = $"\"{version}\"";
        if (request.IdempotencyKey is { } key)
            idempotency.Record(session.Sql(), request.Caller.Id, key, new StoredResponse(
                request.Fingerprint, command.SuccessStatus, null, etag,
                JsonSerializer.Serialize(body, body.GetType(), json.Value.SerializerOptions)));
        return new ItemCommandOutcome(body, etag, null);
    }
}
