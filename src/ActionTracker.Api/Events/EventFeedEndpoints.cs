using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActionTracker.Api.Events;

public sealed record EventPage(IReadOnlyList<CloudEvent> Events, string Next);

/// <summary>
/// The catch-up feed and the live stream: every committed event, in commit-safe order, as
/// CloudEvents. Both read the event log up to Marten's high-water mark, so a consumer that follows
/// <c>next</c> (or the SSE ids) never misses an event that commits late and never sees one twice.
/// </summary>
public static class EventFeedEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public const int MaxWaitSeconds = 30;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEventFeed(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Events").RequireAuthorization()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized);
        // Long polls and streams outlive the request time limit by design.
        events.DisableRequestTimeout();
        events.MapGet("/", Feed).WithName("EventFeed")
            .WithSummary("Events after a position, oldest first; follow next. wait=<seconds> long-polls when nothing is new.");
        events.MapGet("/stream", Stream).WithName("EventStream")
            .WithSummary("Server-sent events, each id its position; Last-Event-ID resumes.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return app;
    }

    private static EventFilter ParseFilter(string[]? type, string? team, Dictionary<string, string[]> errors)
    {
        if (type is { Length: > 0 } && type.Any(t => !PublicEvents.Types.Contains(t)))
            errors["type"] = [$"Known types: {string.Join(", ", PublicEvents.Types)}."];
        if (team is not null && !Names.IsTeamSlug(team))
            errors["team"] = [$"The team is a slug: {Names.SlugRule}."];
        return new EventFilter(type is { Length: > 0 } ? type.ToHashSet(StringComparer.Ordinal) : null, team is null ? null : new HashSet<string> { team });
    }

    private static LogPosition ParsePosition(string? after, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(after))
            return LogPosition.Start;
        if (!LogPosition.TryParse(after, out var position))
            errors[field] = ["Use a position from this feed (next, or an event's position)."];
        return position;
    }

    private static async Task<Ok<EventPage>> Feed(
        EventFeed feed,
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
            var (found, next) = await feed.Read(position, take, filter, ct);
            if (found.Count > 0 || DateTime.UtcNow >= deadline)
                return TypedResults.Ok(new EventPage(found, next.ToString()));
            position = next;
            await Task.Delay(Poll, ct);
        }
    }

    private static async Task Stream(
        HttpContext http, EventFeed feed, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
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
                var (found, next) = await feed.Read(position, DefaultLimit, filter, ct);
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
}
