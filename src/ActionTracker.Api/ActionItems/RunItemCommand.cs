using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// One command for one item, as Wolverine carries it from <see cref="ActionItemCommands"/> to
/// <see cref="RunItemCommandHandler"/>. Invoked in process only: it holds the caller's request
/// and the delegate that shapes the response, so it is never sent, scheduled or stored.
/// </summary>
public sealed record RunItemCommand(
    Guid ItemId,
    CreateActionItem? Create,
    ActionItemCommand? Update,
    CommandRequest Request,
    int SuccessStatus,
    Func<ActionItem, long, DateTimeOffset, object> Respond)
{
    public string Name => (Create ?? (object?)Update)!.GetType().Name;

    // Wolverine logs a failed invocation with the message: the name and the item, not the request.
    public override string ToString() => $"{Name} {ItemId}";
}

/// <summary>
/// What a run came to: the response body and its ETag, or the reason it was refused. A refusal is
/// returned, not thrown, because it is the caller's mistake (a rule, a stale If-Match, no such
/// item), not a failed message: Wolverine must neither retry it nor log it as an error.
/// </summary>
public sealed record ItemCommandOutcome(object? Body, string ETag, Exception? Refusal)
{
    public static ItemCommandOutcome Refused(Exception reason) => new(null, "", reason);
}
