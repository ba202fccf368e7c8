using System.Globalization;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems;

/// <summary>How domain values are spelled on the wire (API.md): snake_case enums, RFC 3339 instants.</summary>
public static class Wire
{
    public static readonly string[] Priorities = ["critical", "high", "medium", "low"];
    public static readonly string[] Statuses = ["open", "in_progress", "blocked", "done", "wont_do"];

    public static string Name(this Priority priority) => Priorities[(int)priority];

    public static string Name(this ItemStatus status) => Statuses[(int)status];

    public static bool TryParsePriority(string? text, out Priority priority)
    {
        var index = Array.IndexOf(Priorities, text);
        priority = (Priority)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>The priority named in a request, null when absent; an unknown name is recorded in <paramref name="errors"/>.</summary>
    public static Priority? OptionalPriority(string? text, Dictionary<string, string[]> errors, string field = "priority")
    {
        if (text is null)
            return null;
        if (TryParsePriority(text, out var priority))
            return priority;
        errors[field] = [$"The priority is one of {string.Join(", ", Priorities)}."];
        return null;
    }

    public static bool TryParseStatus(string? text, out ItemStatus status)
    {
        var index = Array.IndexOf(Statuses, text);
        status = (ItemStatus)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>An RFC 3339 instant with an offset, or a date alone meaning the end of that day UTC.</summary>
    /// <summary>A due date for a command: an instant with an offset, or a date, which ends in the item's team's zone (<see cref="DueDate"/>).</summary>
    public static bool TryParseDueDate(string? text, out DueDate dueDate)
    {
        dueDate = default;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            dueDate = DueDate.EndOf(day);
            return true;
        }
        if (!TryParseDueAt(text, out var instant))
            return false;
        dueDate = instant;
        return true;
    }

    public static bool TryParseDueAt(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            instant = new DateTimeOffset(date.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);
            return true;
        }
        // An instant without an offset would be read in the server's zone: refuse it.
        if (!text.EndsWith('Z') && !text.EndsWith("z", StringComparison.Ordinal) && text.LastIndexOfAny(['+', '-']) < 10)
            return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out instant))
            return false;
        instant = instant.ToUniversalTime();
        return true;
    }

    public static string Render(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
