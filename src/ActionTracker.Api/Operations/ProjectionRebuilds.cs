using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using MartenCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace ActionTracker.Api.Operations;

/// <summary>An async projection's place and health, for operators.</summary>
public sealed record ProjectionStatus(
    string Name,
    int Version,
    string Position,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? RebuildRequestedAt,
    long? RebuildDone,
    long? RebuildTotal,
    DateTimeOffset? RebuiltAt);

/// <summary>
/// Rebuilds of Marten's async projections on request. Marten rebuilds a projection in the daemon
/// that runs it: only the replica holding the projection's HotCold lock may, or two writers would
/// fill its documents at once. So a request is kept in <see cref="TableName"/>, and every replica
/// running the daemon looks for requests for the projections it runs (at once when the request
/// came to it, otherwise every <see cref="PollInterval"/>), rebuilds them, records the progress
/// there for <c>GET /api/admin/projections</c> and the rebuild command, and starts the projection
/// again. A request made while a rebuild runs is served by another rebuild.
/// </summary>
public sealed partial class ProjectionRebuilds(
    IDocumentStore store,
    NpgsqlDataSource db,
    TimeProvider time,
    IServiceProvider services,
    ILogger<ProjectionRebuilds> logger) : BackgroundService
{
    public const string TableName = "projection_rebuilds";

    /// <summary>How often a replica looks for requests that came to another replica.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often a running rebuild records its progress.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest a rebuild may take (Marten stops waiting for the shard after it).</summary>
    public static readonly TimeSpan ShardTimeout = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private TaskCompletionSource _round = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The table of requests, created with Marten's schema.</summary>
    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("name").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("requested_at").AllowNulls();
        table.AddColumn<long>("done").AllowNulls();
        table.AddColumn<long>("total").AllowNulls();
        table.AddColumn<DateTimeOffset>("rebuilt_at").AllowNulls();
        return table;
    }

    /// <summary>Names and versions of the store's async projections.</summary>
    public IReadOnlyList<(string Name, uint Version)> Projections { get; } =
        [.. store.Options.Events.Projections().Where(p => p.Lifecycle == ProjectionLifecycle.Async).Select(p => (p.Name, p.Version))];

    public bool Knows(string name) => Projections.Any(p => p.Name == name);

    /// <summary>Asks for a rebuild; returns the request's time as stored.</summary>
    public async Task<DateTimeOffset> Request(string name, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"""
            insert into {TableName} (name, requested_at, done, total) values ($1, $2, 0, null)
            on conflict (name) do update set requested_at = excluded.requested_at, done = 0, total = null
            returning requested_at
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        DateTimeOffset requested;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            requested = reader.GetFieldValue<DateTimeOffset>(0);
        }
        Wake();
        return requested;
    }

    /// <summary>Every async projection's checkpoint and rebuild state, in registration order.</summary>
    public async Task<IReadOnlyList<ProjectionStatus>> Statuses(CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var rebuilds = new Dictionary<string, (DateTimeOffset? Requested, long? Done, long? Total, DateTimeOffset? Rebuilt)>();
        await using (var command = db.CreateCommand($"select name, requested_at, done, total, rebuilt_at from {TableName}"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            T? Get<T>(int i) where T : struct => reader.IsDBNull(i) ? null : reader.GetFieldValue<T>(i);
            while (await reader.ReadAsync(ct))
                rebuilds[reader.GetString(0)] = (Get<DateTimeOffset>(1), Get<long>(2), Get<long>(3), Get<DateTimeOffset>(4));
        }

        var statuses = new List<ProjectionStatus>();
        foreach (var (name, version) in Projections)
        {
            var shards = Shards(name);
            var states = progress.Where(p => shards.Contains(p.ShardName)).ToList();
            var rebuild = rebuilds.GetValueOrDefault(name);
            statuses.Add(new ProjectionStatus(
                name, (int)version,
                // Marten's progression: the sequence of the last event the projection has applied.
                states.Count == 0 ? "0" : states.Min(s => s.Sequence).ToString(System.Globalization.CultureInfo.InvariantCulture),
                states.Max(s => s.LastUpdated),
                rebuild.Requested, rebuild.Done, rebuild.Total, rebuild.Rebuilt));
        }
        return statuses;
    }

    /// <summary>The status of one projection, null if it is not an async projection of the store.</summary>
    public async Task<ProjectionStatus?> Status(string name, CancellationToken ct) =>
        (await Statuses(ct)).FirstOrDefault(s => s.Name == name);

    /// <summary>True while some rebuild is asked for and not done.</summary>
    public async Task<bool> AnyRequested(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select exists (select from {TableName} where requested_at is not null)");
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Completes when this replica's next look at the requests is over (those it could serve are
    /// done): what waiting for a requested rebuild awaits instead of sleeping.
    /// </summary>
    public Task NextRound(CancellationToken ct) => Volatile.Read(ref _round).Task.WaitAsync(ct);

    /// <summary>The identities of a projection's shards, as in Marten's progression table (e.g. <c>overdue:All</c>).</summary>
    public IReadOnlyList<string> Shards(string name) =>
        [.. store.Advanced.AllAsyncProjectionShardNames().Where(s => s.Name == name).Select(s => s.Identity)];

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        // Registered only when the daemon runs here (Projections:Enabled).
        if (services.GetService<MartenCoordinator>() is not { } coordinator)
            return;
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunRequested(coordinator.DaemonForMainDatabase(), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogFailed(e);
            }
            Interlocked.Exchange(ref _round, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            try
            {
                // Real time, not the service's clock: like Marten's own polling, this is about
                // the processes, not the domain's time (which tests move by hand).
                await _wake.WaitAsync(PollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunRequested(IProjectionDaemon daemon, CancellationToken ct)
    {
        var requests = new List<(string Name, DateTimeOffset RequestedAt)>();
        await using (var command = db.CreateCommand($"select name, requested_at from {TableName} where requested_at is not null order by requested_at"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                requests.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));

        foreach (var (name, requestedAt) in requests)
        {
            // A replica runs (or holds paused) the shards of the projections whose lock it holds.
            if (!Knows(name) || !daemon.CurrentAgents().Any(a => a.Name.Name == name))
                continue;
            await Rebuild(daemon, name, requestedAt, ct);
        }
    }

    private async Task Rebuild(IProjectionDaemon daemon, string name, DateTimeOffset requestedAt, CancellationToken ct)
    {
        LogRebuilding(name);
        var progress = new ShardProgress(Shards(name));
        try
        {
            using (daemon.Tracker.Subscribe(progress))
            {
                var rebuild = daemon.RebuildProjectionAsync(name, ShardTimeout, ct);
                while (await Task.WhenAny(rebuild, Task.Delay(ProgressInterval, ct)) != rebuild)
                    await Record(name, progress.Done, Math.Max(progress.Done, daemon.Tracker.HighWaterMark), ct);
                await rebuild;
            }
        }
        finally
        {
            // Marten leaves the projection stopped after a rebuild; the coordinator would start
            // it at its next round, this saves the wait.
            if (!ct.IsCancellationRequested)
                await StartAgain(daemon, name, ct);
        }

        var done = daemon.Tracker.HighWaterMark;
        await using var command = db.CreateCommand(
            $"""
            update {TableName} set rebuilt_at = $2, done = $3, total = $3,
                   requested_at = case when requested_at = $4 then null else requested_at end
             where name = $1
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        command.Parameters.Add(new() { Value = done });
        command.Parameters.Add(new() { Value = requestedAt });
        await command.ExecuteNonQueryAsync(ct);
        LogRebuilt(name, done);
    }

    private async Task Record(string name, long done, long total, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"update {TableName} set done = $2, total = $3 where name = $1");
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = done });
        command.Parameters.Add(new() { Value = total });
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task StartAgain(IProjectionDaemon daemon, string name, CancellationToken ct)
    {
        try
        {
            await daemon.StartAgentAsync(name, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogRestartFailed(e, name);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilding projection {Name} from the events")]
    private partial void LogRebuilding(string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt projection {Name} up to event sequence {Sequence}")]
    private partial void LogRebuilt(string name, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving projection rebuild requests failed; trying again later")]
    private partial void LogFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Name} did not start again after its rebuild; the daemon's coordinator will retry")]
    private partial void LogRestartFailed(Exception error, string name);
}

/// <summary>
/// The sequence a rebuild has reached, from the daemon's shard states: the lowest over the
/// projection's shards (each rebuilt in event order from the start).
/// </summary>
public sealed class ShardProgress(IReadOnlyList<string> shards) : IObserver<ShardState>
{
    private readonly Dictionary<string, long> _reached = shards.ToDictionary(s => s, _ => 0L);
    private readonly Lock _lock = new();

    public long Done
    {
        get
        {
            lock (_lock)
                return _reached.Count == 0 ? 0 : _reached.Values.Min();
        }
    }

    public void OnNext(ShardState value)
    {
        lock (_lock)
            if (_reached.ContainsKey(value.ShardName))
                _reached[value.ShardName] = value.Sequence;
    }

    public void OnCompleted() { }

    public void OnError(Exception error) { }
}
