using System.Globalization;

namespace ActionTracker.Api.Events;

/// <summary>
/// A place in the global event order: Marten's sequence number (<c>mt_events.seq_id</c>) within
/// the event log's epoch. Sequence numbers go back when the database is restored to a point in
/// time or fails over to a replica that had not seen the last transactions, and a reader's cursor
/// past them would then skip the events written afterwards; a new epoch begins then (see
/// <see cref="EventLogEpochs"/>), and every position of a later epoch sorts after all earlier ones.
/// Rendered as an opaque, ordered string: 8 hex digits of epoch, a dash, 16 hex digits of
/// sequence, so that ordinal string order is position order.
/// </summary>
public readonly record struct LogPosition(long Epoch, long Sequence) : IComparable<LogPosition>
{
    private const int EpochDigits = 8, SequenceDigits = 16;

    public static LogPosition Start { get; } = new(0, 0);

    public int CompareTo(LogPosition other)
    {
        var byEpoch = Epoch.CompareTo(other.Epoch);
        return byEpoch != 0 ? byEpoch : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(LogPosition a, LogPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(LogPosition a, LogPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(LogPosition a, LogPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(LogPosition a, LogPosition b) => a.CompareTo(b) >= 0;

    public static LogPosition Max(LogPosition a, LogPosition b) => a >= b ? a : b;

    public override string ToString() => $"{Epoch:x8}-{Sequence:x16}";

    public static bool TryParse(string? text, out LogPosition position)
    {
        position = Start;
        if (text is not { Length: EpochDigits + 1 + SequenceDigits } || text[EpochDigits] != '-')
            return false;
        if (!uint.TryParse(text.AsSpan(0, EpochDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var epoch) ||
            !long.TryParse(text.AsSpan(EpochDigits + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sequence) ||
            sequence < 0)
            return false;
        position = new LogPosition(epoch, sequence);
        return true;
    }
}
