using System.Text;
using ActionTracker.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace ActionTracker.Api.ActionItems.List;

public static class ListActionItemsEndpoint
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapListActionItems(this RouteGroupBuilder items)
    {
        items.MapGet("/", Handle)
            .WithName("ListActionItems")
            .WithSummary("List action items in creation order, filtered, a page at a time; follow nextCursor for more.");
        return items;
    }

    private static async Task<Ok<ActionItemPage>> Handle(
        NpgsqlDataSource db,
        ActionItemRows rows,
        TimeProvider time,
        [FromQuery] string? team,
        [FromQuery] string? owner,
        [FromQuery] string[]? status,
        [FromQuery] string? priority,
        [FromQuery] bool? overdue,
        [FromQuery] string? source,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
            errors["limit"] = [$"The limit is between 1 and {MaxLimit}."];
        var statuses = status ?? [];
        if (statuses.Any(s => !Wire.TryParseStatus(s, out _)))
            errors["status"] = [$"The status is one of {string.Join(", ", Wire.Statuses)}."];
        if (priority is not null && !Wire.TryParsePriority(priority, out _))
            errors["priority"] = [$"The priority is one of {string.Join(", ", Wire.Priorities)}."];
        ListCursor? after = null;
        if (cursor is not null)
        {
            if (ListCursor.TryParse(cursor, out var parsed))
                after = parsed;
            else
                errors["cursor"] = ["Use the nextCursor of a previous page."];
        }
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        var now = time.GetUtcNow();
        var sql = new StringBuilder($"select {ActionItemRows.Columns}, created_at, id from {ActionItemRows.Table} where true");
        var parameters = new List<object>();
        void Filter(string clause, object value)
        {
            parameters.Add(value);
            sql.Append(" and ").Append(clause.Replace("$?", $"${parameters.Count}", StringComparison.Ordinal));
        }
        if (team is not null) Filter("team = $?", team);
        if (owner is not null) Filter("owner = $?", owner);
        if (statuses.Length > 0) Filter("status = any($?)", statuses.Select(s => { Wire.TryParseStatus(s, out var parsed); return parsed.ToString(); }).ToArray());
        if (priority is not null) Filter("priority = $?", Wire.OptionalPriority(priority, errors).ToString()!);
        if (source is not null) Filter("sourceref = $?", source);
        if (overdue is true) Filter($"status in {ActionItemRows.OpenStatuses} and due_at <= $?", now);
        if (overdue is false) Filter($"not (status in {ActionItemRows.OpenStatuses} and due_at <= $?)", now);
        if (after is { } from)
        {
            parameters.Add(from.CreatedAt);
            parameters.Add(from.Id);
            sql.Append($" and (created_at, id) > (${parameters.Count - 1}, ${parameters.Count})");
        }
        parameters.Add(take + 1);
        sql.Append($" order by created_at, id limit ${parameters.Count}");

        await using var command = db.CreateCommand(sql.ToString());
        foreach (var value in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        var page = new List<ActionItemResponse>(take);
        ListCursor? last = null;
        var more = false;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (page.Count == take)
            {
                more = true;
                break;
            }
            var (item, version) = rows.Read(reader);
            page.Add(ActionItemResponse.From(item, version, now));
            last = new ListCursor(reader.GetFieldValue<DateTimeOffset>(2), reader.GetGuid(3));
        }

        var next = more ? last!.ToString() : null;
        return TypedResults.Ok(new ActionItemPage(page, next));
    }
}
