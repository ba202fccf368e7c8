using Npgsql;

namespace ActionTracker.Api.Infrastructure.Schema;

/// <summary>
/// Applies every registered migration that the database lacks, in one transaction under an
/// advisory lock, so replicas starting together apply each step once and the others wait.
/// </summary>
public sealed partial class SchemaMigrator(
    NpgsqlDataSource dataSource,
    IEnumerable<IMigrationSource> sources,
    ILogger<SchemaMigrator> logger)
{
    // An arbitrary constant: the lock only needs to be the same for every replica.
    private const long MigrationLock = 0x4154_5343_4845_4D41;

    private IReadOnlyList<Migration> All { get; } = sources
        .SelectMany(s => s.Migrations)
        .OrderBy(m => m.Module, StringComparer.Ordinal)
        .ThenBy(m => m.Version)
        .ToList();

    public async Task Migrate(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("select pg_advisory_xact_lock($1)") { Parameters = { new() { Value = MigrationLock } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                create table if not exists schema_migrations (
                    module text not null,
                    version int not null,
                    name text not null,
                    applied_at timestamptz not null default now(),
                    primary key (module, version))
                """));
            await batch.ExecuteNonQueryAsync(ct);
        }

        var applied = await Applied(conn, tx, ct);
        foreach (var migration in All.Where(m => !applied.Contains((m.Module, m.Version))))
        {
            // Migration scripts hold several statements, which only a command without
            // parameters may carry; Npgsql splits it, dollar-quoted bodies included.
            await using (var script = new NpgsqlCommand(migration.Sql, conn, tx))
                await script.ExecuteNonQueryAsync(ct);
            await using (var record = new NpgsqlCommand("insert into schema_migrations (module, version, name) values ($1, $2, $3)", conn, tx))
            {
                record.Parameters.Add(new() { Value = migration.Module });
                record.Parameters.Add(new() { Value = migration.Version });
                record.Parameters.Add(new() { Value = migration.Name });
                await record.ExecuteNonQueryAsync(ct);
            }
            LogApplied(migration.Module, migration.Version, migration.Name);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>True when every migration this build knows has been applied.</summary>
    public async Task<bool> IsCurrent(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var exists = new NpgsqlCommand("select to_regclass('schema_migrations') is not null", conn);
        if (await exists.ExecuteScalarAsync(ct) is not true)
            return false;
        var applied = await Applied(conn, null, ct);
        return All.All(m => applied.Contains((m.Module, m.Version)));
    }

    private static async Task<HashSet<(string, int)>> Applied(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("select module, version from schema_migrations", conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var applied = new HashSet<(string, int)>();
        while (await reader.ReadAsync(ct))
            applied.Add((reader.GetString(0), reader.GetInt32(1)));
        return applied;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Module} {Version}: {Name}")]
    private partial void LogApplied(string module, int version, string name);
}
