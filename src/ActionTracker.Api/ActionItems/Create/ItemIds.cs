namespace ActionTracker.Api.ActionItems.Create;

/// <summary>
/// Ids of new items: version 7 UUIDs (time first) that also increase within one millisecond, so
/// that items created in the same millisecond by this process list in the order they were created
/// (lists go by creation time, then id, as PostgreSQL compares uuids: byte by byte).
/// </summary>
public sealed class ItemIds(TimeProvider time)
{
    private readonly Lock _lock = new();
    private UInt128 _last;

    public Guid Next()
    {
        var candidate = ToNumber(Guid.CreateVersion7(time.GetUtcNow()));
        lock (_lock)
        {
            // Same millisecond (the first 48 bits) as the last id, or the clock went back: one more
            // than the last. The version and variant bits are not touched in practice: the
            // increment lands in the random low bits.
            if (candidate <= _last)
                candidate = _last + 1;
            _last = candidate;
        }
        return FromNumber(candidate);
    }

    private static UInt128 ToNumber(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static Guid FromNumber(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }
}
