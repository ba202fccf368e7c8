using ActionTracker.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.ActionItems.History;

public sealed record HistoryEntry(string Type, long Version, DateTimeOffset OccurredAt, string Actor, object Data);

public sealed record HistoryResponse(IReadOnlyList<HistoryEntry> Events);

public static class GetHistoryEndpoint
{
    public static RouteGroupBuilder MapGetHistory(this RouteGroupBuilder items)
    {
        items.MapGet("/{id:guid}/history", Handle)
            .WithName("GetActionItemHistory")
            .WithSummary("Every event of the item, in order: its audit trail.");
        return items;
    }

    private static async Task<Ok<HistoryResponse>> Handle(Guid id, IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0)
            throw new ResourceNotFound($"No action item {id}.");
        return TypedResults.Ok(new HistoryResponse(
            events.Select(e => new HistoryEntry(e.EventTypeName, e.Version, e.Timestamp, e.UserName ?? "unknown", e.Data)).ToList()));
    }
}
