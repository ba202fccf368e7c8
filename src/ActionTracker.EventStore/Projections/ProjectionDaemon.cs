using ActionTracker.EventStore.Schema;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ActionTracker.EventStore.Projections;

public sealed class ProjectionOptions
{
    /// <summary>False turns the background daemon off (tests and the rebuild command drive runners themselves).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Pause when a projection has caught up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a replica that does not run a projection tries to take it over.</summary>
    public TimeSpan TakeOverInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Events per transaction while catching up or rebuilding.</summary>
    public int BatchSize { get; set; } = 5000;
}

/// <summary>A projection's place and health, for operators.</summary>
public sealed record ProjectionStatus(
    string Name,
    int Version,
    string Position,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? RebuildRequestedAt,
    long? RebuildDone,
    long? RebuildTotal,
    DateTimeOffset? RebuiltAt);

public sealed class ProjectionSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new(EventStoreSchema.Module, 3, "projection checkpoints",
            """
            create table projection_checkpoints (
                name text primary key,
                version int not null,
                tx_id xid8 not null,
                seq bigint not null,
                updated_at timestamptz,
                rebuild_requested_at timestamptz,
                rebuild_done bigint,
                rebuild_total bigint,
                rebuilt_at timestamptz);
            """),
    ];
}

/// <summary>
/// Runs one async projection. Only the replica holding the projection's advisory lock runs it;
/// the lock lives on a connection of its own, so when that replica dies PostgreSQL drops the
/// lock with the connection and another replica takes over at its next attempt. The checkpoint
/// moves in the same transaction as the projection's writes and only from the position the
/// runner read (compare-and-set), so even two runners could not apply a page twice.
/// </summary>
public sealed partial class ProjectionRunner(
    IAsyncProjection projection,
    EventStore store,
    NpgsqlDataSource dataSource,
    ProjectionOptions options,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    private const string RebuildSuffix = "__rebuild";
    private NpgsqlConnection? _lock;

    public IAsyncProjection Projection => projection;

    public bool Leads => _lock is { State: System.Data.ConnectionState.Open };

    /// <summary>Takes the projection's lock if no other replica holds it; checks a held lock is still alive.</summary>
    public async Task<bool> TryLead(CancellationToken ct)
    {
        if (_lock is not null)
        {
            try
            {
                await using var alive = new NpgsqlCommand("select 1", _lock);
                await alive.ExecuteScalarAsync(ct);
                return true;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogLostLock(e, projection.Name);
                await Release();
            }
        }

        var connection = await dataSource.OpenConnectionAsync(ct);
        bool taken;
        try
        {
            await using var take = new NpgsqlCommand("select pg_try_advisory_lock(hashtextextended('projection:' || $1, 0))", connection);
            take.Parameters.Add(new() { Value = projection.Name });
            taken = await take.ExecuteScalarAsync(ct) is true;
        }
        catch
        {
            // Whether or not the lock was taken, this physical connection must not go back to
            // the pool holding it.
            dataSource.Clear();
            await connection.DisposeAsync();
            throw;
        }
        if (taken)
        {
            _lock = connection;
            try
            {
                await Initialize(ct);
            }
            catch
            {
                await Release();
                throw;
            }
            LogLeading(projection.Name);
            return true;
        }
        await connection.DisposeAsync();
        return false;
    }

    /// <summary>Creates the tables and checkpoint on first run; rebuilds when the projection's version changed.</summary>
    private async Task Initialize(CancellationToken ct)
    {
        var status = await Status(ct);
        if (status is null)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var create = new NpgsqlCommand(projection.CreateTables(t => t) + projection.CreateIndexes(t => t), connection, tx))
                await create.ExecuteNonQueryAsync(ct);
            await using (var checkpoint = new NpgsqlCommand(
                "insert into projection_checkpoints (name, version, tx_id, seq) values ($1, $2, '0', 0)", connection, tx))
            {
                checkpoint.Parameters.Add(new() { Value = projection.Name });
                checkpoint.Parameters.Add(new() { Value = projection.Version });
                await checkpoint.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        else if (status.Version != projection.Version)
        {
            await RequestRebuild(dataSource, projection.Name, time.GetUtcNow(), ct);
        }
    }

    /// <summary>Applies pages until the horizon; returns the number of events read. Needs the lock.</summary>
    public async Task<long> CatchUp(CancellationToken ct)
    {
        if (!Leads)
            return 0;
        var status = await Status(ct) ?? throw new InvalidOperationException($"Projection {projection.Name} has no checkpoint.");
        if (status.RebuildRequestedAt is not null)
        {
            await Rebuild(null, ct);
            return 0;
        }

        Position.TryParse(status.Position, out var position);
        long total = 0;
        while (!ct.IsCancellationRequested)
        {
            var page = await store.ReadAll(position, options.BatchSize, ct);
            if (page.Count == 0)
                break;
            using var activity = StoreTelemetry.Source.StartActivity($"projection {projection.Name}");
            activity?.SetTag("actiontracker.projection.events", page.Count);
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await projection.Apply(page, new ProjectionWriter(connection, tx, t => t), ct);
            var next = page[^1].Position;
            if (!await MoveCheckpoint(connection, tx, position, next, ct))
            {
                // Someone else moved it (a runner that did not know it lost its lock): drop our work.
                await tx.RollbackAsync(ct);
                LogCheckpointMoved(projection.Name);
                return total;
            }
            await tx.CommitAsync(ct);
            position = next;
            total += page.Count;
        }
        return total;
    }

    private async Task<bool> MoveCheckpoint(NpgsqlConnection connection, NpgsqlTransaction tx, Position from, Position to, CancellationToken ct)
    {
        await using var move = new NpgsqlCommand(
            """
            update projection_checkpoints set tx_id = $4::text::xid8, seq = $5, updated_at = $6
             where name = $1 and tx_id = $2::text::xid8 and seq = $3
            """, connection, tx);
        move.Parameters.Add(new() { Value = projection.Name });
        move.Parameters.Add(new() { Value = from.TxId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        move.Parameters.Add(new() { Value = from.Seq });
        move.Parameters.Add(new() { Value = to.TxId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        move.Parameters.Add(new() { Value = to.Seq });
        move.Parameters.Add(new() { Value = time.GetUtcNow().ToUniversalTime() });
        return await move.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Replays every event into fresh tables, then swaps them in and moves the checkpoint in one
    /// transaction: readers see the old model until the new one is complete. Needs the lock.
    /// </summary>
    public async Task Rebuild(IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        if (!Leads)
            throw new InvalidOperationException($"This replica does not run projection {projection.Name}.");
        string Twin(string t) => t + RebuildSuffix;

        long total;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            var drop = string.Join(";", projection.Tables.Select(t => $"drop table if exists {Twin(t)}"));
            // Unlogged while filling: a crash loses only the twin, which the next rebuild recreates;
            // made logged (written to the WAL once, in bulk) when it is swapped in.
            await using (var create = new NpgsqlCommand($"{drop}; {projection.CreateTables(Twin, "unlogged ")}", connection, tx))
                await create.ExecuteNonQueryAsync(ct);
            await using (var count = new NpgsqlCommand("select count(*) from events", connection, tx))
                total = (long)(await count.ExecuteScalarAsync(ct))!;
            await tx.CommitAsync(ct);
        }
        LogRebuilding(projection.Name, total);

        // Reading the next page overlaps applying this one: the reader's deserializing and the
        // server's writing use different cores.
        var position = Position.Start;
        long done = 0;
        var next = store.ReadAll(position, options.BatchSize, ct);
        while (!ct.IsCancellationRequested)
        {
            var page = await next;
            if (page.Count == 0)
                break;
            position = page[^1].Position;
            next = store.ReadAll(position, options.BatchSize, ct);
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await projection.Apply(page, new ProjectionWriter(connection, tx, Twin), ct);
            await using (var report = new NpgsqlCommand("update projection_checkpoints set rebuild_done = $2, rebuild_total = $3 where name = $1", connection, tx))
            {
                report.Parameters.Add(new() { Value = projection.Name });
                report.Parameters.Add(new() { Value = done + page.Count });
                report.Parameters.Add(new() { Value = Math.Max(total, done + page.Count) });
                await report.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            done += page.Count;
            progress?.Report((done, Math.Max(total, done)));
        }
        ct.ThrowIfCancellationRequested();

        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            // Indexes built once over the full tables, then the tables written to the WAL in bulk.
            var swap = projection.CreateIndexes(Twin) + string.Join(";", projection.Tables.Select(t =>
                $"alter table {Twin(t)} set logged; analyze {Twin(t)}; drop table if exists {t}; alter table {Twin(t)} rename to {t}"));
            await using (var command = new NpgsqlCommand(swap, connection, tx))
                await command.ExecuteNonQueryAsync(ct);
            await using (var checkpoint = new NpgsqlCommand(
                """
                update projection_checkpoints set tx_id = $2::text::xid8, seq = $3, version = $4, updated_at = $5,
                    rebuild_requested_at = null, rebuilt_at = $5, rebuild_done = $6, rebuild_total = $6
                 where name = $1
                """, connection, tx))
            {
                checkpoint.Parameters.Add(new() { Value = projection.Name });
                checkpoint.Parameters.Add(new() { Value = position.TxId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                checkpoint.Parameters.Add(new() { Value = position.Seq });
                checkpoint.Parameters.Add(new() { Value = projection.Version });
                checkpoint.Parameters.Add(new() { Value = time.GetUtcNow().ToUniversalTime() });
                checkpoint.Parameters.Add(new() { Value = done });
                await checkpoint.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        LogRebuilt(projection.Name, done);
    }

    public Task<ProjectionStatus?> Status(CancellationToken ct) => ProjectionDaemon.Status(dataSource, projection.Name, ct);

    public static async Task RequestRebuild(NpgsqlDataSource dataSource, string name, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "update projection_checkpoints set rebuild_requested_at = $2, rebuild_done = 0, rebuild_total = null where name = $1");
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = now.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task Release()
    {
        if (_lock is null)
            return;
        var connection = _lock;
        _lock = null;
        try
        {
            // The connection goes back to the pool with its session alive: let go of the lock
            // explicitly, or it would stay held by an idle pooled connection.
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(hashtextextended('projection:' || $1, 0))", connection);
            unlock.Parameters.Add(new() { Value = projection.Name });
            await unlock.ExecuteScalarAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Either the session is gone (and the lock with it) or it is alive but could not be
            // told: clearing the pool makes this physical connection close instead of idling in
            // the pool with the lock held, which would stop every replica from leading.
            dataSource.Clear();
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await Release();

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica now runs projection {Name}")]
    private partial void LogLeading(string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lock of projection {Name}; another replica may take over")]
    private partial void LogLostLock(Exception error, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoint of projection {Name} moved under this runner; its page was discarded")]
    private partial void LogCheckpointMoved(string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilding projection {Name} from {Total} events")]
    private partial void LogRebuilding(string name, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt projection {Name} from {Done} events")]
    private partial void LogRebuilt(string name, long done);
}

/// <summary>
/// Keeps every async projection running on exactly one replica: each replica tries to take
/// each projection's lock, runs the ones it holds, and retries the others every few seconds.
/// </summary>
public sealed partial class ProjectionDaemon(
    IEnumerable<IAsyncProjection> projections,
    EventStore store,
    NpgsqlDataSource dataSource,
    ProjectionOptions options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<ProjectionDaemon>();

    public ProjectionRunner CreateRunner(string name) => new(
        projections.Single(p => p.Name == name), store, dataSource, options, time, loggers.CreateLogger<ProjectionRunner>());

    public IEnumerable<string> Names => projections.Select(p => p.Name);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
            return;
        await Task.WhenAll(projections.Select(p => Run(CreateRunner(p.Name), stoppingToken)));
    }

    private async Task Run(ProjectionRunner runner, CancellationToken ct)
    {
        await using (runner)
        {
            while (!ct.IsCancellationRequested)
            {
                var pause = options.PollInterval;
                try
                {
                    if (await runner.TryLead(ct))
                        await runner.CatchUp(ct);
                    else
                        pause = options.TakeOverInterval;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    LogRunFailed(e, runner.Projection.Name);
                    pause = options.TakeOverInterval;
                }
                try
                {
                    await Task.Delay(pause, time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public static async Task<ProjectionStatus?> Status(NpgsqlDataSource dataSource, string name, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            select name, version, tx_id::text, seq, updated_at, rebuild_requested_at, rebuild_done, rebuild_total, rebuilt_at
              from projection_checkpoints where name = $1
            """);
        command.Parameters.Add(new() { Value = name });
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
            return null;
        T? Get<T>(int i) where T : struct => r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);
        return new ProjectionStatus(
            r.GetString(0), r.GetInt32(1),
            new Position(ulong.Parse(r.GetString(2), System.Globalization.CultureInfo.InvariantCulture), r.GetInt64(3)).ToString(),
            Get<DateTimeOffset>(4), Get<DateTimeOffset>(5), Get<long>(6), Get<long>(7), Get<DateTimeOffset>(8));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Name} failed; retrying")]
    private partial void LogRunFailed(Exception error, string name);
}
