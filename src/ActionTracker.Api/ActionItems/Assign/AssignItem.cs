using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Marten;
using Wolverine.Persistence.EventSourcing;

namespace ActionTracker.Api.ActionItems.Assign;

public sealed record AssignActionItemRequest(string? Owner, string? Team);

public sealed record AssignItem(Guid ActionItemId, AssignActionItem Decision, CommandRequest Request) : IItemCommand
{
    ActionItemCommand IItemRequest.Decision => Decision;
}

public static class AssignItemHandler
{
    [AggregateHandler(ConcurrencyStyle.Exclusive)]
    public static EventsToAppend Handle(AssignItem command, ActionItem item, DecisionContext context) =>
        new(ActionItemDecider.Decide(item, command.Decision, context));
}

public static class AssignActionItemEndpoint
{
    public static RouteGroupBuilder MapAssignActionItem(this RouteGroupBuilder items)
    {
        items.MapPost("/{id:guid}/assignment", Handle)
            .WithName("AssignActionItem")
            .WithSummary("Hand the item to another owner, or (leads) move it to another team.");
        return items;
    }

    private static async Task<Ok<ActionItemResponse>> Handle(
        Guid id, AssignActionItemRequest body, HttpContext http, ItemCommandBus commands, CancellationToken ct)
    {
        var command = new AssignItem(id, new(body.Owner ?? "", body.Team), CommandRequest.From(http, $"assignment {id}", body));
        var reply = await commands.Send<ActionItemResponse>(command, ct);
        http.Response.Headers.ETag = reply.ETag;
        return TypedResults.Ok(reply.Body);
    }
}
