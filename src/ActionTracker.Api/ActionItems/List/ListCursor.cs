using System.Globalization;

namespace ActionTracker.Api.ActionItems.List;

/// <summary>
/// Where a page of the item list ended: lists go in creation order, ties broken by id, so the
/// pair is a stable keyset cursor. Rendered as an opaque string.
/// </summary>
public sealed record ListCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public override string ToString() =>
        $"{CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{Id:N}";

    public static bool TryParse(string? text, out ListCursor cursor)
    {
        cursor = null!;
        var dot = text?.IndexOf('.') ?? -1;
        if (dot <= 0 || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks || !Guid.TryParseExact(text.AsSpan(dot + 1), "N", out var id))
            return false;
        cursor = new ListCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
