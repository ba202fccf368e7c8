using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Marten;
using Wolverine.Persistence.EventSourcing;

namespace ActionTracker.Api.ActionItems.Edit;

/// <summary>The details to change: a field left out stays as it is; an empty description clears it.</summary>
public sealed record EditActionItemRequest(string? Title, string? Description, string? Priority, string[]? Labels);

public sealed record EditItem(Guid ActionItemId, EditDetails Decision, CommandRequest Request) : IItemCommand
{
    ActionItemCommand IItemRequest.Decision => Decision;
}

public static class EditItemHandler
{
    [AggregateHandler(ConcurrencyStyle.Exclusive)]
    public static EventsToAppend Handle(EditItem command, ActionItem item, DecisionContext context) =>
        new(ActionItemDecider.Decide(item, command.Decision, context));
}

public static class EditActionItemEndpoint
{
    public static RouteGroupBuilder MapEditActionItem(this RouteGroupBuilder items)
    {
        items.MapPatch("/{id:guid}", Handle)
            .WithName("EditActionItem")
            .WithSummary("Change the title, description, priority or labels (owner, leads, admins); each change is an event in the history. A new priority does not move the due date.");
        return items;
    }

    private static async Task<Ok<ActionItemResponse>> Handle(
        Guid id, EditActionItemRequest body, HttpContext http, ItemCommandBus commands, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var priority = Wire.OptionalPriority(body.Priority, errors);
        if (body.Labels is { } labels && labels.Any(l => l is null))
            errors["labels"] = ["Labels are strings."];
        if (errors.Count > 0)
            throw new InvalidRequest(errors);
        var command = new EditItem(id, new(body.Title, body.Description, priority, body.Labels), CommandRequest.From(http, $"edit {id}", body));
        var reply = await commands.Send<ActionItemResponse>(command, ct);
        http.Response.Headers.ETag = reply.ETag;
        return TypedResults.Ok(reply.Body);
    }
}
