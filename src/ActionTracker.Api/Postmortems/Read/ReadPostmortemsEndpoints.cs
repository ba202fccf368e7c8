using System.Globalization;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActionTracker.Api.Postmortems.Read;

public sealed record PostmortemResponse(
    string Ref,
    string Title,
    string Team,
    DateTimeOffset? IncidentAt,
    DateTimeOffset ImportedAt,
    string ImportedBy,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ActionItemResponse> Items,
    Progress Progress);

public sealed record PostmortemSummary(
    string Ref,
    string Title,
    string Team,
    DateTimeOffset? IncidentAt,
    DateTimeOffset ImportedAt,
    string ImportedBy,
    DateTimeOffset UpdatedAt,
    Progress Progress)
{
    public static PostmortemSummary From(Postmortem p) =>
        new(p.Ref, p.Title, p.Team, p.IncidentAt, p.ImportedAt, p.ImportedBy, p.UpdatedAt, p.Progress);
}

public sealed record PostmortemPage(IReadOnlyList<PostmortemSummary> Postmortems, string? NextCursor);

public static class ReadPostmortemsEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapReadPostmortems(this RouteGroupBuilder postmortems)
    {
        postmortems.MapGet("/{ref}", Get)
            .WithName("GetPostmortem")
            .WithSummary("A postmortem with its items and progress (\"3 of 5 done\").");
        postmortems.MapGet("/", List)
            .WithName("ListPostmortems")
            .WithSummary("Imported postmortems, newest first, with progress; filter team; follow nextCursor for more.");
        return postmortems;
    }

    private static async Task<Ok<PostmortemResponse>> Get(
        [FromRoute(Name = "ref")] string reference, PostmortemStore store, TimeProvider time, CancellationToken ct)
    {
        var postmortem = await store.Find(reference, ct) ?? throw new ResourceNotFound($"No postmortem '{reference}' was imported.");
        var items = await store.Items(reference, ct);
        var now = time.GetUtcNow();
        var responses = items.Select(i => ActionItemResponse.From(i.Item, i.Version, now)).ToList();
        // Counted from the items returned, so the numbers always match the list beside them.
        var progress = Progress.Of(responses.Count(i => i.Status == "done"), responses.Count(i => i.Status == "wont_do"), responses.Count);
        return TypedResults.Ok(new PostmortemResponse(
            postmortem.Ref, postmortem.Title, postmortem.Team, postmortem.IncidentAt, postmortem.ImportedAt,
            postmortem.ImportedBy, postmortem.UpdatedAt, responses, progress));
    }

    private static async Task<Ok<PostmortemPage>> List(
        PostmortemStore store, [FromQuery] string? team, [FromQuery] int? limit, [FromQuery] string? cursor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
            errors["limit"] = [$"The limit is between 1 and {MaxLimit}."];
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                before = parsed;
            else
                errors["cursor"] = ["Use the nextCursor of a previous page."];
        }
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        var page = await store.List(team, before, take + 1, ct);
        var more = page.Count > take;
        var shown = page.Take(take).ToList();
        var next = more ? shown[^1].Listed.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new PostmortemPage(shown.Select(PostmortemSummary.From).ToList(), next));
    }
}
