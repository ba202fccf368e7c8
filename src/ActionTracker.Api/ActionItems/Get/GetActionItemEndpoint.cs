using ActionTracker.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ActionTracker.Api.ActionItems.Get;

public static class GetActionItemEndpoint
{
    public static RouteGroupBuilder MapGetActionItem(this RouteGroupBuilder items)
    {
        items.MapGet("/{id:guid}", Handle).WithName("GetActionItem").WithSummary("Read one action item; the ETag is its version.");
        return items;
    }

    private static async Task<Ok<ActionItemResponse>> Handle(
        Guid id, HttpContext http, NpgsqlDataSource db, ActionItemRows rows, TimeProvider time, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select {ActionItemRows.Columns} from {ActionItemRows.Table} where id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new ResourceNotFound($"No action item {id}.");
        var (item, version) = rows.Read(reader);
        var response = ActionItemResponse.From(item, version, time.GetUtcNow());
        http.Response.Headers.ETag = response.ETag;
        return TypedResults.Ok(response);
    }
}
