using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Postmortems;
using ActionTracker.Domain.ActionItems;
using ActionTracker.Api.Infrastructure.Store;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Runtime;
using Wolverine.Marten;

namespace ActionTracker.Api.ActionItems.Create;

public sealed record SourceRequest(string? Kind, string? Ref, string? Title);

public sealed record CreateActionItemRequest(
    string? Title,
    string? Description,
    string? Team,
    string? Owner,
    string? Priority,
    string? DueAt,
    SourceRequest? Source,
    string[]? Labels);

public sealed record CreateItem(CreateActionItem Decision, CommandRequest Request) : IItemRequest
{
    public Guid ItemId => Decision.ItemId;

    ActionItemCommand IItemRequest.Decision => Decision;

    int IItemRequest.SuccessStatus => StatusCodes.Status201Created;
}

/// <summary>Starts an item's stream: the leads of the team it is for decide what the caller may set.</summary>
public static class CreateItemHandler
{
    public static Task<DecisionContext> LoadAsync(CreateItem command, IDocumentSession session, DecisionContexts contexts, CancellationToken ct)
    {
        session.Stamp(command.Request.Metadata);
        return contexts.For(command.Request.Caller, command.Decision.Team, ct);
    }

    public static IStartStream Handle(CreateItem command, DecisionContext context) =>
        MartenOps.StartStream<ActionItem>(command.ItemId, [.. ActionItemDecider.Decide(null, command.Decision, context)]);

    public static Task AfterAsync(CreateItem command, IStartStream start, DecisionContext context, IDocumentSession session, MessageContext bus,
        ItemWrites writes, CancellationToken ct) =>
        writes.Complete(command, null, 0, start.Events, context, session, bus, ct);
}

public static class CreateActionItemEndpoint
{
    public static RouteGroupBuilder MapCreateActionItem(this RouteGroupBuilder items)
    {
        items.MapPost("/", Handle)
            .WithName("CreateActionItem")
            .WithSummary("Create an action item; Idempotency-Key makes a retry return the first response.");
        return items;
    }

    private static async Task<Created<ActionItemResponse>> Handle(
        CreateActionItemRequest body, HttpContext http, ItemCommandBus commands, ItemIds ids, PostmortemStore postmortems, Teams.TeamDirectory teams, CancellationToken ct)
    {
        var create = ToCommand(body, ids.Next());
        var request = CommandRequest.From(http, "create", body);
        if (create.Source is { Kind: PostmortemStore.SourceKind, Ref: { } reference } && await postmortems.OwningTeam(reference, ct) is { } owner)
            PostmortemImporter.EnsureMayUseRef(reference, owner, create.Team, await teams.WithListedLeads(request.Caller, owner, ct));
        var reply = await commands.Send<ActionItemResponse>(new CreateItem(create, request), ct);
        http.Response.Headers.ETag = reply.ETag;
        return TypedResults.Created($"/api/action-items/{reply.Body.Id}", reply.Body);
    }

    public static CreateActionItem ToCommand(CreateActionItemRequest body, Guid id)
    {
        var errors = new Dictionary<string, string[]>();
        var priority = Wire.OptionalPriority(body.Priority, errors);
        DueDate? dueAt = null;
        if (body.DueAt is not null)
        {
            if (Wire.TryParseDueDate(body.DueAt, out var parsed))
                dueAt = parsed;
            else
                errors["dueAt"] = ["The due date is an RFC 3339 instant with an offset (2026-12-22T17:00:00Z) or a date (2026-12-22)."];
        }
        if (body.Labels is { } labels && labels.Any(l => l is null))
            errors["labels"] = ["Labels are strings."];
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        return new CreateActionItem(
            id, body.Title ?? "", body.Description, body.Team ?? "", body.Owner ?? "", priority, dueAt,
            body.Source is { } s ? new ItemSource(s.Kind ?? "", s.Ref, s.Title) : null,
            body.Labels);
    }
}
