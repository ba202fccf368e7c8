using ActionTracker.Api.ActionItems.List;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Web;

/// <summary>
/// A board's filters, as typed into its form, read by the list API's own parser; a value it
/// cannot read becomes a message on the page, not an error page.
/// </summary>
public static class BoardFilter
{
    public static ItemFilter? From(string team, string? q, string? owner, string? label, string? priority, string? status,
        int take, out string? problem)
    {
        // An empty field of the form means "any", where the API would read an empty value.
        static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        var errors = new Dictionary<string, string[]>();
        var filter = ListActionItemsEndpoint.Parse(team, Given(owner), Given(status) is { } s ? [s] : null, Given(priority), null, null,
            Given(q), Given(label) is { } l ? [l] : null, null, null, "dueAt", null, null, errors);
        if (filter is not null && filter.Statuses.Any(s => s.IsTerminal()))
            errors["status"] = ["The board shows open, in progress and blocked items."];
        problem = errors.Count > 0 ? string.Join(" ", errors.SelectMany(e => e.Value)) : null;
        // Due first is overdue first: an open item past its date sorts before every later one.
        return problem is null
            ? filter! with { Statuses = filter.Statuses.Count > 0 ? filter.Statuses : ItemStatusExtensions.Open, Take = take }
            : null;
    }
}
