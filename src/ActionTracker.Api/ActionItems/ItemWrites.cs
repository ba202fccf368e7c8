using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine.Runtime;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// The end of every item command, in its transaction: the next deadline check scheduled, the
/// answer shaped and recorded under the request's Idempotency-Key, and handed back to the request
/// (the message the request waits for, so it is never sent anywhere).
/// </summary>
public sealed class ItemWrites(ItemStreams streams, Policy.TeamPolicies policies, IdempotencyKeys idempotency, IOptions<JsonOptions> json)
{
    public async Task Complete(
        IItemRequest command, ActionItem? before, long startingVersion, IReadOnlyList<object> events, DecisionContext context,
        IDocumentSession session, MessageContext bus, CancellationToken ct)
    {
        var decided = events.Cast<IActionItemEvent>().ToList();
        var item = (before is null ? ActionItem.Fold(decided) : decided.Aggregate(before, ActionItem.Evolve))
                   ?? throw new InvalidOperationException($"Item {command.ItemId} has no state after its command.");
        var now = context.Now;
        // The context is the item's team's as it was; an item moved to another team moves onto that team's ladder.
        if (before is not null && before.Team != item.Team)
            await streams.Schedule(bus, item, decided, (await policies.For(item.Team, ct)).Ladder, newLadder: true);
        else
            await streams.Schedule(bus, item, decided, context.Ladder);

        var version = startingVersion + decided.Count;
        var written = new ItemWritten(command.Respond(item, version, now), $"\"{version}\"");
        var request = command.Request;
        if (request.IdempotencyKey is { } key)
            idempotency.Record(session.Sql(), request.Caller.Id, key, new StoredResponse(
                request.Fingerprint, command.SuccessStatus, null, written.ETag,
                JsonSerializer.Serialize(written.Body, written.Body.GetType(), json.Value.SerializerOptions)));
        await bus.EnqueueCascadingAsync(written);
    }
}
