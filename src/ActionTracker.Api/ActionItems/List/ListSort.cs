using System.Globalization;
namespace ActionTracker.Api.ActionItems.List;

/// <summary>One key of a list order: the SQL that computes it from a row and whether it is an instant (else a rank).</summary>
public sealed record SortKey(string Sql, bool IsInstant);

/// <summary>
/// An order the item list comes in (API.md <c>sort</c>): its keys, then the item id to break ties,
/// all in one direction, so a page ends at a row value that the next page starts after (a keyset
/// cursor: stable while items are added or change).
/// </summary>
public sealed record ListSort(string Name, IReadOnlyList<SortKey> Keys, bool Descending)
{
    /// <summary>Critical first: the enum's order (a column of its own), not the alphabet's.</summary>
    private static readonly SortKey Urgency = new("urgency", IsInstant: false);

    private static readonly SortKey CreatedAt = new("created_at", IsInstant: true);
    private static readonly SortKey DueAt = new("due_at", IsInstant: true);
    private static readonly SortKey UpdatedAt = new("updated_at", IsInstant: true);

    public static readonly ListSort Default = new("createdAt", [CreatedAt], Descending: false);

    public static readonly IReadOnlyList<ListSort> All =
    [
        Default,
        new("dueAt", [DueAt], Descending: false),
        new("-dueAt", [DueAt], Descending: true),
        // Equal priorities: the one due first comes first.
        new("priority", [Urgency, DueAt], Descending: false),
        new("-updatedAt", [UpdatedAt], Descending: true),
    ];

    public static ListSort? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    public string OrderBy => string.Join(", ", Keys.Select(k => k.Sql).Append("id").Select(k => Descending ? k + " desc" : k));

    /// <summary>The row value this sort compares, in the order it compares it.</summary>
    public string RowValue => $"({string.Join(", ", Keys.Select(k => k.Sql))}, id)";
}

/// <summary>
/// Where a page ended, for the sort it was issued with: <c>{sort}.{key}….{id}</c> (instants as
/// UTC ticks). Opaque to clients; a cursor names its sort so that it is never read under another.
/// </summary>
public sealed record ListCursor(ListSort Sort, IReadOnlyList<long> Keys, Guid Id)
{
    public override string ToString() =>
        string.Join('.', Keys.Select(k => k.ToString(CultureInfo.InvariantCulture)).Prepend(Sort.Name).Append(Id.ToString("N")));

    /// <summary>The keys as SQL parameters: instants as instants.</summary>
    public IEnumerable<object> Values() =>
        Keys.Select((k, i) => Sort.Keys[i].IsInstant ? (object)new DateTimeOffset(k, TimeSpan.Zero) : (int)k).Append(Id);

    public static ListCursor At(ListSort sort, IReadOnlyList<object> keys, Guid id) =>
        new(sort, keys.Select(k => k is DateTimeOffset instant ? instant.UtcTicks : Convert.ToInt64(k, CultureInfo.InvariantCulture)).ToList(), id);

    public static bool TryParse(string text, out ListCursor cursor)
    {
        cursor = null!;
        var parts = text.Split('.');
        // Before sorts, a cursor was "{ticks}.{id}" in creation order: still read as such.
        var sort = parts.Length == 2 ? ListSort.Default : ListSort.Find(parts[0]);
        var skip = parts.Length == 2 ? 0 : 1;
        if (sort is null || parts.Length != skip + sort.Keys.Count + 1 || !Guid.TryParseExact(parts[^1], "N", out var id))
            return false;
        var keys = new List<long>();
        foreach (var part in parts[skip..^1])
        {
            if (!long.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key))
                return false;
            keys.Add(key);
        }
        if (keys.Where((k, i) => sort.Keys[i].IsInstant).Any(k => k is < 0 || k > DateTimeOffset.MaxValue.UtcTicks)
            || keys.Where((k, i) => !sort.Keys[i].IsInstant).Any(k => k is < int.MinValue or > int.MaxValue))
            return false;
        cursor = new ListCursor(sort, keys, id);
        return true;
    }
}
