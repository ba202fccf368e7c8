using System.Security.Cryptography;
using System.Text;

namespace ActionTracker.Api.Infrastructure.Store;

public static class StreamIds
{
    /// <summary>
    /// A stream id derived from a name (SHA-256, as an RFC 9562 version 8 UUID). Starting the
    /// stream of a name twice is a conflict, which makes "do this once per name" safe across
    /// replicas and retries without any other bookkeeping.
    /// </summary>
    public static Guid FromName(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
