using Npgsql;
using NpgsqlTypes;

namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>Something that takes SQL to run in the current transaction; positional parameters ($1, $2, ...).</summary>
public interface ISqlWriter
{
    void Add(string sql, params object?[] parameters);
}

public static class SqlParameters
{
    /// <summary>A jsonb parameter from already-serialized JSON text.</summary>
    public static NpgsqlParameter Jsonb(string? json) =>
        new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)json ?? DBNull.Value };
}
