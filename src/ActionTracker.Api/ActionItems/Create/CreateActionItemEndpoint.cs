using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Postmortems;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;

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
        CreateActionItemRequest body, HttpContext http, ActionItemCommands commands, ItemIds ids, PostmortemStore postmortems, Teams.TeamDirectory teams, CancellationToken ct)
    {
        var command = ToCommand(body, ids.Next());
        var request = CommandRequest.From(http, "create", body);
        if (command.Source is { Kind: PostmortemStore.SourceKind, Ref: { } reference } && await postmortems.OwningTeam(reference, ct) is { } owner)
            PostmortemImporter.EnsureMayUseRef(reference, owner, command.Team, await teams.WithListedLeads(request.Caller, owner, ct));
        var result = await commands.Create(command, request, ActionItemResponse.From, ct);
        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Created($"/api/action-items/{result.Body.Id}", result.Body);
    }

    public static CreateActionItem ToCommand(CreateActionItemRequest body, Guid id)
    {
        var errors = new Dictionary<string, string[]>();
        var priority = Wire.OptionalPriority(body.Priority, errors);
        DateTimeOffset? dueAt = null;
        if (body.DueAt is not null)
        {
            if (Wire.TryParseDueAt(body.DueAt, out var parsed))
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
