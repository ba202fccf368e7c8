using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.ActionItems.ChangeDueDate;

public sealed record ChangeDueDateRequest(string? DueAt, string? Reason);

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
        Guid id, ChangeDueDateRequest body, HttpContext http, ActionItemCommands commands, CancellationToken ct)
    {
        if (!Wire.TryParseDueAt(body.DueAt, out var dueAt))
            throw new InvalidRequest("dueAt", "The due date is an RFC 3339 instant with an offset (2026-12-22T17:00:00Z) or a date (2026-12-22).");
        var command = new Domain.ActionItems.ChangeDueDate(dueAt, body.Reason);
        var result = await commands.Execute(id, command, CommandRequest.From(http, $"due-date {id}", body),
            StatusCodes.Status200OK, ActionItemResponse.From, ct);
        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Ok(result.Body);
    }
}
