using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain;
using ActionTracker.EventStore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActionTracker.Api.Events;

public sealed record EventPage(IReadOnlyList<CloudEvent> Events, string Next);

/// <summary>
/// The catch-up feed and the live stream: every committed event, in commit-safe order, as
/// CloudEvents. Both read over the (tx_id, seq) horizon, so a consumer that follows <c>next</c>
/// (or the SSE ids) never misses an event that commits late and never sees one twice.
/// </summary>
public static class EventFeedEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public const int MaxWaitSeconds = 30;
    private const int PagesPerRequest = 10;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEventFeed(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Events").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        events.MapGet("/", Feed).WithName("EventFeed")
            .WithSummary("Events after a position, oldest first; follow next. wait=<seconds> long-polls when nothing is new.");
        events.MapGet("/stream", Stream).WithName("EventStream")
            .WithSummary("Server-sent events, each id its position; Last-Event-ID resumes.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return app;
    }

    private sealed record Filter(IReadOnlySet<string>? Types, string? Team);

    private static Filter ParseFilter(string[]? type, string? team, Dictionary<string, string[]> errors)
    {
        if (type is { Length: > 0 } && type.Any(t => !PublicEvents.Types.Contains(t)))
            errors["type"] = [$"Known types: {string.Join(", ", PublicEvents.Types)}."];
        if (team is not null && !Names.IsTeamSlug(team))
            errors["team"] = [$"The team is a slug: {Names.SlugRule}."];
        return new Filter(type is { Length: > 0 } ? type.ToHashSet(StringComparer.Ordinal) : null, team);
    }

    private static Position ParsePosition(string? after, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(after))
            return Position.Start;
        if (!Position.TryParse(after, out var position))
            errors[field] = ["Use a position from this feed (next, or an event's position)."];
        return position;
    }

    private static async Task<Ok<EventPage>> Feed(
        EventStore.EventStore store, NpgsqlDataSource db,
        [FromQuery] string? after, [FromQuery] int? limit, [FromQuery] string[]? type, [FromQuery] string? team, [FromQuery] int? wait,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var position = ParsePosition(after, "after", errors);
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
            errors["limit"] = [$"The limit is between 1 and {MaxLimit}."];
        if (wait is < 0 or > MaxWaitSeconds)
            errors["wait"] = [$"Wait between 0 and {MaxWaitSeconds} seconds."];
        var filter = ParseFilter(type, team, errors);
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        var deadline = DateTime.UtcNow.AddSeconds(wait ?? 0);
        while (true)
        {
            var (found, next) = await Read(store, db, position, take, filter, ct);
            if (found.Count > 0 || DateTime.UtcNow >= deadline)
                return TypedResults.Ok(new EventPage(found, next.ToString()));
            position = next;
            await Task.Delay(Poll, ct);
        }
    }

    private static async Task Stream(
        HttpContext http, EventStore.EventStore store, NpgsqlDataSource db, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        [FromQuery] string? after, [FromQuery] string[]? type, [FromQuery] string? team, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var resume = http.Request.Headers["Last-Event-ID"].ToString();
        var position = ParsePosition(resume.Length > 0 ? resume : after, resume.Length > 0 ? "Last-Event-ID" : "after", errors);
        var filter = ParseFilter(type, team, errors);
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.StartAsync(ct);
        var lastWrite = DateTime.UtcNow;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var (found, next) = await Read(store, db, position, DefaultLimit, filter, ct);
                foreach (var e in found)
                {
                    await http.Response.WriteAsync(
                        $"id: {e.Position}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e, json.Value.SerializerOptions)}\n\n", ct);
                    lastWrite = DateTime.UtcNow;
                }
                if (DateTime.UtcNow - lastWrite > Heartbeat)
                {
                    // A comment line keeps proxies from closing an idle stream.
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    lastWrite = DateTime.UtcNow;
                }
                await http.Response.Body.FlushAsync(ct);
                position = next;
                if (found.Count == 0)
                    await Task.Delay(Poll, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>
    /// Up to <paramref name="take"/> matching events after <paramref name="from"/>, scanning a
    /// bounded number of pages; the returned position is past everything scanned, matching or not.
    /// </summary>
    private static async Task<(List<CloudEvent> Found, Position Next)> Read(
        EventStore.EventStore store, NpgsqlDataSource db, Position from, int take, Filter filter, CancellationToken ct)
    {
        var found = new List<CloudEvent>();
        var position = from;
        for (var pages = 0; pages < PagesPerRequest && found.Count < take; pages++)
        {
            var page = await store.ReadAll(position, take - found.Count, ct);
            if (page.Count == 0)
                break;
            var teams = filter.Team is null ? null : await Teams(db, page, ct);
            foreach (var stored in page)
            {
                if (PublicEvents.Map(stored.Data) is not { } mapped)
                    continue;
                if (filter.Types is not null && !filter.Types.Contains(mapped.Type))
                    continue;
                if (teams is not null && (PublicEvents.TeamOf(stored.Data) ?? teams.GetValueOrDefault(stored.StreamId)) != filter.Team)
                    continue;
                found.Add(PublicEvents.Envelope(stored, mapped.Type, mapped.Data));
            }
            position = page[^1].Position;
        }
        return (found, position);
    }

    /// <summary>The current team of each item in the page (events other than creation and assignment do not carry it).</summary>
    private static async Task<Dictionary<Guid, string>> Teams(NpgsqlDataSource db, IReadOnlyList<StoredEvent> page, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select id, team from action_items where id = any($1)");
        command.Parameters.Add(new() { Value = page.Select(e => e.StreamId).Distinct().ToArray() });
        var teams = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            teams[reader.GetGuid(0)] = reader.GetString(1);
        return teams;
    }
}
