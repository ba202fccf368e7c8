using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Marten;
using Wolverine.Persistence.EventSourcing;

namespace ActionTracker.Api.ActionItems.ChangeStatus;

public sealed record ChangeStatusRequest(string? Status, string? Reason, string? Resolution);

public sealed record ChangeItemStatus(Guid ActionItemId, Domain.ActionItems.ChangeStatus Decision, CommandRequest Request) : IItemCommand
{
    ActionItemCommand IItemRequest.Decision => Decision;
}

public static class ChangeItemStatusHandler
{
    [AggregateHandler(ConcurrencyStyle.Exclusive)]
    public static EventsToAppend Handle(ChangeItemStatus command, ActionItem item, DecisionContext context) =>
        new(ActionItemDecider.Decide(item, command.Decision, context));
}

public static class ChangeStatusEndpoint
{
    public static RouteGroupBuilder MapChangeStatus(this RouteGroupBuilder items)
    {
        items.MapPost("/{id:guid}/status", Handle)
            .WithName("ChangeActionItemStatus")
            .WithSummary("Start, stop, block, unblock, complete, close as won't do, or reopen an item.");
        return items;
    }

    private static async Task<Ok<ActionItemResponse>> Handle(
        Guid id, ChangeStatusRequest body, HttpContext http, ItemCommandBus commands, CancellationToken ct)
    {
        if (!Wire.TryParseStatus(body.Status, out var status))
            throw new InvalidRequest("status", $"The status is one of {string.Join(", ", Wire.Statuses)}.");
        var command = new ChangeItemStatus(id, new(status, body.Reason, body.Resolution), CommandRequest.From(http, $"status {id}", body));
        var reply = await commands.Send<ActionItemResponse>(command, ct);
        http.Response.Headers.ETag = reply.ETag;
        return TypedResults.Ok(reply.Body);
    }
}
