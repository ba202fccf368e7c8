using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Marten;
using Wolverine.Persistence.EventSourcing;

namespace ActionTracker.Api.ActionItems.Edit;

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
        if (body is { TitleSent: true, Title: null })
            errors["title"] = ["An item always has a title: send a new one, or leave the field out to keep it."];
        if (body is { PrioritySent: true, Priority: null })
            errors["priority"] = ["An item always has a priority: send a new one, or leave the field out to keep it."];
        // A null clears what may be empty, as an empty value does: never a silent no-op.
        if (body is { DescriptionSent: true, Description: null })
            body = body with { Description = "" };
        if (body is { LabelsSent: true, Labels: null })
            body = body with { Labels = [] };
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
