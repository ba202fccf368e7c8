using ActionTracker.Api.ActionItems;
using ActionTracker.Api.ActionItems.List;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Web;

/// <summary>A board's filters, as typed into its form, turned into the list's query (a value it cannot read becomes a message, not an error page).</summary>
public static class BoardFilter
{
    public static ItemFilter? From(string team, string? q, string? owner, string? label, string? priority, string? status,
        IReadOnlyList<ItemStatus> open, int take, out string? problem)
    {
        problem = null;
        Priority? wanted = null;
        if (!string.IsNullOrEmpty(priority))
        {
            if (!Wire.TryParsePriority(priority, out var parsed))
                problem = $"Unknown priority \"{priority}\": choose one of {string.Join(", ", Wire.Priorities)}.";
            wanted = parsed;
        }
        IReadOnlyList<ItemStatus> statuses = open;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Wire.TryParseStatus(status, out var parsed) || !open.Contains(parsed))
                problem = $"Unknown status \"{status}\": the board shows open, in progress and blocked items.";
            statuses = [parsed];
        }
        var words = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (words is not null && (words.Length > ListActionItemsEndpoint.MaxQueryLength || !words.Any(char.IsLetterOrDigit)))
            problem = $"Search for at least one word, in at most {ListActionItemsEndpoint.MaxQueryLength} characters.";
        if (problem is not null)
            return null;
        return new ItemFilter
        {
            Team = team,
            Owner = string.IsNullOrWhiteSpace(owner) ? null : owner.Trim(),
            Labels = string.IsNullOrWhiteSpace(label) ? [] : [label.Trim()],
            Priority = wanted,
            Statuses = statuses,
            Words = words,
            // Due first is overdue first: an open item past its date sorts before every later one.
            Sort = ListSort.Find("dueAt")!,
            Take = take,
        };
    }
}
