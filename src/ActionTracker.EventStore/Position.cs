using System.Globalization;

namespace ActionTracker.EventStore;

/// <summary>
/// A place in the global event order: the writing transaction's id, then the sequence number.
/// Ordering by seq alone can skip an event whose transaction commits after a later one's, so a
/// reader's cursor is always the pair. The top 16 bits of <see cref="TxId"/> are the store's
/// epoch, which grows when the database is restored or fails over (transaction ids restart or go
/// back then), so positions of a later epoch sort after all earlier ones. Rendered as an opaque,
/// ordered string whose first four hex digits are the epoch.
/// </summary>
public readonly record struct Position(ulong TxId, long Seq) : IComparable<Position>
{
    public static Position Start { get; } = new(0, 0);

    /// <summary>The epoch this position belongs to.</summary>
    public int Epoch => (int)(TxId >> 48);

    public int CompareTo(Position other)
    {
        var byTx = TxId.CompareTo(other.TxId);
        return byTx != 0 ? byTx : Seq.CompareTo(other.Seq);
    }

    public static bool operator <(Position a, Position b) => a.CompareTo(b) < 0;
    public static bool operator >(Position a, Position b) => a.CompareTo(b) > 0;
    public static bool operator <=(Position a, Position b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Position a, Position b) => a.CompareTo(b) >= 0;

    /// <summary>Fixed-width hex so that the strings sort in the same order as the positions.</summary>
    public override string ToString() => $"{TxId:x16}-{Seq:x16}";

    public static bool TryParse(string? text, out Position position)
    {
        position = Start;
        if (text is not { Length: 33 } || text[16] != '-')
            return false;
        if (!ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var tx) ||
            !long.TryParse(text.AsSpan(17), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var seq) || seq < 0)
            return false;
        position = new Position(tx, seq);
        return true;
    }
}
