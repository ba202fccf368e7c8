using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Marten;
using Wolverine.Persistence.EventSourcing;

namespace ActionTracker.Api.ActionItems.ChangeDueDate;

public sealed record ChangeDueDateRequest(string? DueAt, string? Reason);

public sealed record RedateItem(Guid ActionItemId, Domain.ActionItems.ChangeDueDate Decision, CommandRequest Request) : IItemCommand
{
    ActionItemCommand IItemRequest.Decision => Decision;
}

public static class RedateItemHandler
{
    [AggregateHandler(ConcurrencyStyle.Exclusive)]
    public static EventsToAppend Handle(RedateItem command, ActionItem item, DecisionContext context) =>
        new(ActionItemDecider.Decide(item, command.Decision, context));
}

public static class ChangeDueDateEndpoint
{
    public static RouteGroupBuilder MapChangeDueDate(this RouteGroupBuilder items)
    {
        items.MapPost("/{id:guid}/due-date", Handle)
            .WithName("ChangeActionItemDueDate")
            .WithSummary("Move the due date, with a reason. Owners may postpone once, within the priority's limit.");
        return items;
    }

    private static async Task<Ok<ActionItemResponse>> Handle(
        Guid id, ChangeDueDateRequest body, HttpContext http, ItemCommandBus commands, CancellationToken ct)
    {
        if (!Wire.TryParseDueDate(body.DueAt, out var dueAt))
            throw new InvalidRequest("dueAt", "The due date is an RFC 3339 instant with an offset (2026-12-22T17:00:00Z) or a date (2026-12-22).");
        var command = new RedateItem(id, new(dueAt, body.Reason), CommandRequest.From(http, $"due-date {id}", body));
        var reply = await commands.Send<ActionItemResponse>(command, ct);
        http.Response.Headers.ETag = reply.ETag;
        return TypedResults.Ok(reply.Body);
    }
}
