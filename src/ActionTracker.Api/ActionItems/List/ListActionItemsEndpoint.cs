using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActionTracker.Api.ActionItems.List;

public static class ListActionItemsEndpoint
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public const int MaxQueryLength = 200;

    public static RouteGroupBuilder MapListActionItems(this RouteGroupBuilder items)
    {
        items.MapGet("/", Handle)
            .WithName("ListActionItems")
            .WithSummary("List action items, filtered and sorted, a page at a time; follow nextCursor for more.")
            .WithDescription(
                "q: words of the title or description, any case, every word must match (whole words). " +
                "label: repeatable, items carrying all of them. dueBefore/dueAfter: strict bounds, an instant with an offset " +
                "or a date (dueBefore=2026-12-05 is due by the end of Dec 4; dueAfter=2026-12-05 from Dec 6 on). " +
                $"sort: {string.Join(", ", ListSort.All.Select(s => s.Name))} (default createdAt); a cursor is valid for the sort it came with.");
        return items;
    }

    private static async Task<Ok<ActionItemPage>> Handle(
        ItemQuery query,
        TimeProvider time,
        [FromQuery] string? team,
        [FromQuery] string? owner,
        [FromQuery] string[]? status,
        [FromQuery] string? priority,
        [FromQuery] bool? overdue,
        [FromQuery] string? source,
        [FromQuery] string? q,
        [FromQuery] string[]? label,
        [FromQuery] string? dueBefore,
        [FromQuery] string? dueAfter,
        [FromQuery] string? sort,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = Parse(team, owner, status, priority, overdue, source, q, label, dueBefore, dueAfter, sort, limit, cursor, errors);
        if (filter is null)
            throw new InvalidRequest(errors);
        var now = time.GetUtcNow();
        var page = await query.Find(filter, now, ct);
        return TypedResults.Ok(new ActionItemPage(
            page.Items.Select(i => ActionItemResponse.From(i.Item, i.Version, now)).ToList(), page.Next?.ToString()));
    }

    /// <summary>The list's query parameters as a filter; null, with the fields at fault in <paramref name="errors"/>, when one does not read.</summary>
    public static ItemFilter? Parse(string? team, string? owner, string[]? status, string? priority, bool? overdue, string? source,
        string? q, string[]? label, string? dueBefore, string? dueAfter, string? sort, int? limit, string? cursor, Dictionary<string, string[]> errors)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
            errors["limit"] = [$"The limit is between 1 and {MaxLimit}."];
        var statuses = new List<ItemStatus>();
        foreach (var s in status ?? [])
            if (Wire.TryParseStatus(s, out var parsed))
                statuses.Add(parsed);
            else
                errors["status"] = [$"The status is one of {string.Join(", ", Wire.Statuses)}."];
        var wanted = Wire.OptionalPriority(priority, errors);
        if (q is not null && (q.Length > MaxQueryLength || !q.Any(char.IsLetterOrDigit)))
            errors["q"] = [$"Search for at least one word, in at most {MaxQueryLength} characters."];
        var labels = (label ?? []).Select(l => l.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (labels.Any(l => l.Length is 0 or > ActionItemDecider.MaxLabel))
            errors["label"] = [$"Each label has 1 to {ActionItemDecider.MaxLabel} characters."];
        var before = Bound(dueBefore, "dueBefore", upper: true, errors);
        var after = Bound(dueAfter, "dueAfter", upper: false, errors);
        var order = ListSort.Default;
        if (sort is not null && ListSort.Find(sort) is not { } named)
            errors["sort"] = [$"The sort is one of {string.Join(", ", ListSort.All.Select(s => s.Name))}."];
        else
            order = sort is null ? order : ListSort.Find(sort)!;
        ListCursor? from = null;
        if (cursor is not null)
        {
            if (!ListCursor.TryParse(cursor, out var parsed))
                errors["cursor"] = ["Use the nextCursor of a previous page."];
            else if (parsed.Sort != order)
                errors["cursor"] = [$"This cursor continues sort={parsed.Sort.Name}: pass that sort, or start again without a cursor."];
            else
                from = parsed;
        }
        if (errors.Count > 0)
            return null;
        return new ItemFilter
        {
            Team = team, Owner = owner, Statuses = statuses, Priority = wanted, Overdue = overdue, Source = source,
            Words = q, Labels = labels, DueBefore = before, DueAfter = after, Sort = order, After = from, Take = take,
        };

    }

    /// <summary>
    /// A strict due-date bound: an instant as given, or a date meaning the whole day (before it
    /// starts, or after it ends).
    /// </summary>
    private static DateTimeOffset? Bound(string? text, string field, bool upper, Dictionary<string, string[]> errors)
    {
        if (text is null)
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var day))
        {
            // The calendar ends with that day: there is no instant after it to compare with.
            if (!upper && day == DateOnly.MaxValue)
            {
                errors[field] = ["Nothing can be due after 9999-12-31: give a date up to 9999-12-30, or an instant."];
                return null;
            }
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            // Timestamps are kept to the microsecond: the day's last one is a tick of ten before the next day.
            return upper ? start : start.AddDays(1).AddTicks(-10);
        }
        if (Wire.TryParseDueAt(text, out var instant))
            return instant;
        errors[field] = ["An instant with an offset (2026-12-05T17:00:00Z) or a date (2026-12-05)."];
        return null;
    }
}
