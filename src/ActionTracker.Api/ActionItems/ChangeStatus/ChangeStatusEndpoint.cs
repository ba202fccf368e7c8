using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.ActionItems.ChangeStatus;

public sealed record ChangeStatusRequest(string? Status, string? Reason, string? Resolution);

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
        Guid id, ChangeStatusRequest body, HttpContext http, ActionItemCommands commands, CancellationToken ct)
    {
        if (!Wire.TryParseStatus(body.Status, out var status))
            throw new InvalidRequest("status", $"The status is one of {string.Join(", ", Wire.Statuses)}.");
        var command = new Domain.ActionItems.ChangeStatus(status, body.Reason, body.Resolution);
        var result = await commands.Execute(id, command, CommandRequest.From(http, $"status {id}", body),
            StatusCodes.Status200OK, ActionItemResponse.From, ct);
        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Ok(result.Body);
    }
}
