using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// A command on an item as a request hands it to Wolverine and waits for it (never sent,
/// scheduled or stored: it carries the caller's request): what to decide, the request it came
/// with, and the answer the request gives.
/// </summary>
public interface IItemRequest
{
    Guid ItemId { get; }

    /// <summary>What the decider is asked; its type names the command in metrics and traces.</summary>
    ActionItemCommand Decision { get; }

    CommandRequest Request { get; }

    /// <summary>The status the request answers with (and that its Idempotency-Key record keeps).</summary>
    int SuccessStatus => StatusCodes.Status200OK;

    /// <summary>The body the request answers with, and that a retry under its Idempotency-Key gets again.</summary>
    object Respond(ActionItem item, long version, DateTimeOffset now) => ActionItemResponse.From(item, version, now);
}

/// <summary>
/// A command on an existing item. Wolverine's aggregate handler workflow fetches the stream
/// named by <see cref="ActionItemId"/> under its row lock, <see cref="ItemCommandMiddleware"/>
/// checks the request against it, the use case's handler decides, and the events, the next
/// deadline check and the idempotency record commit together.
/// </summary>
public interface IItemCommand : IItemRequest
{
    Guid ActionItemId { get; }

    Guid IItemRequest.ItemId => ActionItemId;
}

/// <summary>What a command came to: the response body and its ETag (the stream's version).</summary>
public sealed record ItemWritten(object Body, string ETag);

/// <summary>The answer a request gives: the body, its ETag, and whether it is a replay of an earlier answer.</summary>
public sealed record CommandReply<T>(T Body, string ETag, bool Replayed = false);
