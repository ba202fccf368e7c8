using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Marten;
using Wolverine.Persistence.EventSourcing;

namespace ActionTracker.Api.ActionItems.Comment;

public sealed record AddCommentRequest(string? Text);

public sealed record CommentResponse(Guid Id, Guid ItemId, string Author, string Text, DateTimeOffset CreatedAt, long Version);

public sealed record CommentOnItem(Guid ActionItemId, AddComment Decision, CommandRequest Request) : IItemCommand
{
    ActionItemCommand IItemRequest.Decision => Decision;

    int IItemRequest.SuccessStatus => StatusCodes.Status201Created;

    object IItemRequest.Respond(ActionItem item, long version, DateTimeOffset now) =>
        new CommentResponse(Decision.CommentId, ActionItemId, Request.Caller.Id, Decision.Text.Trim(), now, version);
}

public static class CommentOnItemHandler
{
    [AggregateHandler(ConcurrencyStyle.Exclusive)]
    public static EventsToAppend Handle(CommentOnItem command, ActionItem item, DecisionContext context) =>
        new(ActionItemDecider.Decide(item, command.Decision, context));
}

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
        Guid id, AddCommentRequest body, HttpContext http, ItemCommandBus commands, TimeProvider time, CancellationToken ct)
    {
        var command = new CommentOnItem(id, new(Guid.CreateVersion7(time.GetUtcNow()), body.Text ?? ""), CommandRequest.From(http, $"comment {id}", body));
        var reply = await commands.Send<CommentResponse>(command, ct);
        http.Response.Headers.ETag = reply.ETag;
        return TypedResults.Created($"/api/action-items/{id}/comments/{reply.Body.Id}", reply.Body);
    }
}
