using System.Text.Json;
using ActionTracker.Api.Events;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ActionTracker.Api.ActionItems.Comments;

public sealed record CommentEntry(Guid Id, string Text, string Author, DateTimeOffset CreatedAt);

public sealed record CommentPage(IReadOnlyList<CommentEntry> Comments, string? NextCursor);

/// <summary>An item's comments without its whole history: read from its stream's comment events, oldest first.</summary>
public static class ListCommentsEndpoint
{
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapComments(this RouteGroupBuilder items)
    {
        items.MapGet("/{id:guid}/comments", List)
            .WithName("ListComments")
            .WithSummary("The item's comments, oldest first; limit ≤ 200 (default 50), cursor from nextCursor.");
        items.MapGet("/{id:guid}/comments/{commentId:guid}", async Task<Ok<CommentEntry>> (Guid id, Guid commentId, NpgsqlDataSource db, EventLog log, IDocumentStore store, CancellationToken ct) =>
                TypedResults.Ok((await Read(db, log, store, id, 0, int.MaxValue, commentId, ct)).SingleOrDefault().Entry
                                ?? throw new ResourceNotFound($"No comment {commentId} on action item {id}.")))
            .WithName("GetComment")
            .WithSummary("One comment of the item: where a new comment's Location points.");
        return items;
    }

    private static async Task<Ok<CommentPage>> List(Guid id, NpgsqlDataSource db, EventLog log, IDocumentStore store, int? limit, string? cursor, CancellationToken ct)
    {
        var take = limit ?? 50;
        if (take is < 1 or > MaxLimit)
            throw new InvalidRequest("limit", $"1 to {MaxLimit}.");
        var after = 0L;
        if (cursor is not null && !long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out after))
            throw new InvalidRequest("cursor", "A nextCursor of an earlier page.");
        await using (var session = store.QuerySession())
            if (await session.LoadAsync<ActionItem>(id, ct) is null)
                throw new ResourceNotFound($"No action item {id}.");
        var found = await Read(db, log, store, id, after, take + 1, null, ct);
        var page = found.Take(take).ToList();
        return TypedResults.Ok(new CommentPage(page.Select(c => c.Entry!).ToList(),
            found.Count > take ? page[^1].Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    private static async Task<List<(CommentEntry? Entry, long Version)>> Read(
        NpgsqlDataSource db, EventLog log, IDocumentStore store, Guid id, long after, int limit, Guid? commentId, CancellationToken ct)
    {
        var type = store.Options.Events.AllKnownEventTypes().First(k => k.EventType == typeof(ActionItemCommented)).EventTypeName;
        await using var command = db.CreateCommand(
            $"""
            select version, data from {log.EventsTable}
             where stream_id = $1 and type = $2 and version > $3 and ($5::uuid is null or data->>'commentId' = $5::text)
             order by version limit $4
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = type });
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = (object?)commentId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        var comments = new List<(CommentEntry?, long)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            using var data = JsonDocument.Parse(reader.GetString(1));
            var e = data.RootElement;
            comments.Add((new CommentEntry(e.GetProperty("commentId").GetGuid(), e.GetProperty("text").GetString()!,
                e.GetProperty("by").GetString()!, e.GetProperty("at").GetDateTimeOffset()), reader.GetInt64(0)));
        }
        return comments;
    }
}
