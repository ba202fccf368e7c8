using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.ActionItems.Edit;

/// <summary>The details to change: a field left out stays as it is; an empty description clears it.</summary>
public sealed record EditActionItemRequest(string? Title, string? Description, string? Priority, string[]? Labels);

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
        Guid id, EditActionItemRequest body, HttpContext http, ActionItemCommands commands, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var priority = Wire.OptionalPriority(body.Priority, errors);
        if (body.Labels is { } labels && labels.Any(l => l is null))
            errors["labels"] = ["Labels are strings."];
        if (errors.Count > 0)
            throw new InvalidRequest(errors);
        var result = await commands.Execute(id, new EditDetails(body.Title, body.Description, priority, body.Labels),
            CommandRequest.From(http, $"edit {id}", body), StatusCodes.Status200OK, ActionItemResponse.From, ct);
        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Ok(result.Body);
    }
}
