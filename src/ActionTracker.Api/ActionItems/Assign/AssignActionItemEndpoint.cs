using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.ActionItems.Assign;

public sealed record AssignActionItemRequest(string? Owner, string? Team);

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
        Guid id, AssignActionItemRequest body, HttpContext http, ActionItemCommands commands, CancellationToken ct)
    {
        var command = new AssignActionItem(body.Owner ?? "", body.Team);
        var result = await commands.Execute(id, command, CommandRequest.From(http, $"assignment {id}", body),
            StatusCodes.Status200OK, ActionItemResponse.From, ct);
        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Ok(result.Body);
    }
}
