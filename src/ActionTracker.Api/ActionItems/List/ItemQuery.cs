using System.Text;
using System.Text.Json;
using ActionTracker.Domain.ActionItems;
using Npgsql;
using NpgsqlTypes;

namespace ActionTracker.Api.ActionItems.List;

/// <summary>What a list asks for: filters (each null for any), the order, where the last page ended, and how many.</summary>
public sealed record ItemFilter
{
    public string? Team { get; init; }
    public string? Owner { get; init; }
    public IReadOnlyList<ItemStatus> Statuses { get; init; } = [];
    public Priority? Priority { get; init; }
    public bool? Overdue { get; init; }
    public string? Source { get; init; }
    public string? Words { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public DateTimeOffset? DueBefore { get; init; }
    public DateTimeOffset? DueAfter { get; init; }
    public ListSort Sort { get; init; } = ListSort.Default;
    public ListCursor? After { get; init; }
    public int Take { get; init; } = ListActionItemsEndpoint.DefaultLimit;
}

/// <summary>A page of items, and where the next one starts (null on the last page).</summary>
public sealed record ItemPage(IReadOnlyList<(ActionItem Item, long Version)> Items, ListCursor? Next);

/// <summary>
/// Lists items from their documents, filtered and in keyset order: the one query behind the API's
/// list and the web board.
/// </summary>
public sealed class ItemQuery(NpgsqlDataSource db, ActionItemRows rows)
{
    public async Task<ItemPage> Find(ItemFilter filter, DateTimeOffset now, CancellationToken ct)
    {
        var order = filter.Sort;
        var sql = new StringBuilder($"select {ActionItemRows.Columns}, {string.Join(", ", order.Keys.Select(k => k.Sql))}, id from {ActionItemRows.Table} where true");
        var parameters = new List<NpgsqlParameter>();
        string Param(object value, NpgsqlDbType? type = null)
        {
            var parameter = new NpgsqlParameter { Value = value };
            if (type is { } t)
                parameter.NpgsqlDbType = t;
            parameters.Add(parameter);
            return $"${parameters.Count}";
        }
        void Where(string clause) => sql.Append(" and ").Append(clause);
        if (filter.Team is { } team) Where($"team = {Param(team)}");
        if (filter.Owner is { } owner) Where($"owner = {Param(owner)}");
        if (filter.Statuses.Count > 0) Where($"status = any({Param(filter.Statuses.Select(s => s.ToString()).ToArray())})");
        if (filter.Priority is { } priority) Where($"priority = {Param(priority.ToString())}");
        if (filter.Source is { } source) Where($"sourceref = {Param(source)}");
        if (filter.Overdue is true) Where($"status in {ActionItemRows.OpenStatuses} and due_at <= {Param(now)}");
        if (filter.Overdue is false) Where($"not (status in {ActionItemRows.OpenStatuses} and due_at <= {Param(now)})");
        if (filter.Words is { } words) Where($"{ActionItemRows.SearchVector} @@ plainto_tsquery('{ActionItemRows.SearchConfig}', {Param(words)})");
        if (filter.Labels.Count > 0) Where($"{ActionItemRows.LabelsJson} @> {Param(JsonSerializer.Serialize(filter.Labels), NpgsqlDbType.Jsonb)}");
        if (filter.DueBefore is { } before) Where($"due_at < {Param(before)}");
        if (filter.DueAfter is { } after) Where($"due_at > {Param(after)}");
        if (filter.After is { } from)
            Where($"{order.RowValue} {(order.Descending ? "<" : ">")} ({string.Join(", ", from.Values().Select(v => Param(v)))})");
        sql.Append($" order by {order.OrderBy} limit {Param(filter.Take + 1)}");

        await using var command = db.CreateCommand(sql.ToString());
        command.Parameters.AddRange(parameters.ToArray());
        var page = new List<(ActionItem, long)>(filter.Take);
        ListCursor? last = null;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (page.Count == filter.Take)
                return new ItemPage(page, last);
            page.Add(rows.Read(reader));
            var keys = order.Keys.Select((k, i) => k.IsInstant ? (object)reader.GetFieldValue<DateTimeOffset>(2 + i) : reader.GetInt32(2 + i)).ToList();
            last = ListCursor.At(order, keys, reader.GetGuid(2 + order.Keys.Count));
        }
        return new ItemPage(page, null);
    }
}
