using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.ActionItems.Comment;

public sealed record AddCommentRequest(string? Text);

public sealed record CommentResponse(Guid Id, Guid ItemId, string Author, string Text, DateTimeOffset CreatedAt, long Version);

public static class AddCommentEndpoint
{
    public static RouteGroupBuilder MapAddComment(this RouteGroupBuilder items)
    {
        items.MapPost("/{id:guid}/comments", Handle)
            .WithName("CommentOnActionItem")
            .WithSummary("Add a comment to the item's history.");
        return items;
    }

    private static async Task<Created<CommentResponse>> Handle(
        Guid id, AddCommentRequest body, HttpContext http, ActionItemCommands commands, TimeProvider time, CancellationToken ct)
    {
        var commentId = Guid.CreateVersion7(time.GetUtcNow());
        var request = CommandRequest.From(http, $"comment {id}", body);
        var result = await commands.Execute(id, new AddComment(commentId, body.Text ?? ""), request, StatusCodes.Status201Created,
            (_, version, now) => new CommentResponse(commentId, id, request.Caller.Id, body.Text?.Trim() ?? "", now, version), ct);
        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Created($"/api/action-items/{id}/comments/{result.Body.Id}", result.Body);
    }
}
