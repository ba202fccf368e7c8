using System.Diagnostics;
using System.Globalization;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace ActionTracker.Api.Operations;

/// <summary>
/// <c>ActionTracker.Api rebuild-projections [name...]</c>: rebuilds async projections from the
/// events with a progress bar, through Marten's daemon. When a running service holds a projection
/// (Marten's HotCold lock for it), the rebuild is handed to it and this command follows its
/// progress; otherwise this command holds that lock while it rebuilds, so that no service starts
/// the projection meanwhile.
/// </summary>
public static class RebuildCommand
{
    public static bool Matches(string[] args) => args is ["rebuild-projections", ..];

    public static async Task<int> Run(IServiceProvider services, string[] args, CancellationToken ct = default)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var db = services.GetRequiredService<NpgsqlDataSource>();
        var rebuilds = services.GetRequiredService<ProjectionRebuilds>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var known = rebuilds.Projections.Select(p => p.Name).ToArray();
        var names = args.Length > 1 ? args[1..] : known;
        foreach (var name in names.Where(n => !rebuilds.Knows(n)))
        {
            Console.Error.WriteLine($"rebuild-projections: unknown projection '{name}'; known: {string.Join(", ", known)}");
            return 2;
        }

        foreach (var name in names)
        {
            var clock = Stopwatch.StartNew();
            var bar = new Bar(name, clock);
            long done;
            await using (var held = await ShardLocks.TryTake(store, db, name, ct))
            {
                if (held is not null)
                {
                    using var daemon = await store.BuildProjectionDaemonAsync();
                    var progress = new ShardProgress(rebuilds.Shards(name));
                    using (daemon.Tracker.Subscribe(progress))
                    {
                        var rebuild = daemon.RebuildProjectionAsync(name, ProjectionRebuilds.ShardTimeout, ct);
                        while (await Task.WhenAny(rebuild, Task.Delay(250, ct)) != rebuild)
                            bar.Report((progress.Done, Math.Max(progress.Done, daemon.Tracker.HighWaterMark)));
                        await rebuild;
                    }
                    done = daemon.Tracker.HighWaterMark;
                    bar.Report((done, done));
                }
                else
                {
                    var requested = await rebuilds.Request(name, ct);
                    Console.Error.WriteLine($"{name}: a running service holds this projection; it will rebuild it.");
                    ProjectionStatus? status;
                    while ((status = await rebuilds.Status(name, ct)) is not null && !(status.RebuiltAt >= requested))
                    {
                        if (status.RebuildDone is { } reached && status.RebuildTotal is { } total)
                            bar.Report((reached, total));
                        await Task.Delay(250, ct);
                    }
                    done = status?.RebuildDone ?? 0;
                }
            }
            Console.Error.WriteLine();
            // Marten rebuilds in event order up to the high-water mark: the sequence reached is
            // the number of events read (less the few numbers rolled-back appends left unused).
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: rebuilt from {done} events in {clock.Elapsed.TotalSeconds:F1} s ({done / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0} events/s)"));
        }
        return 0;
    }

    private sealed class Bar(string name, Stopwatch clock) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value)
        {
            const int width = 30;
            var share = value.Total == 0 ? 1 : Math.Clamp((double)value.Done / value.Total, 0, 1);
            var filled = (int)(share * width);
            var rate = value.Done / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            Console.Error.Write($"\r{name} [{new string('#', filled)}{new string('.', width - filled)}] {share:P0} {value.Done}/{value.Total} events, {rate:F0}/s   ");
        }
    }
}

/// <summary>
/// The advisory locks Marten's HotCold coordinator takes for a projection's shards (same ids, same
/// database), held on a connection of their own.
/// </summary>
public sealed class ShardLocks : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly NpgsqlConnection _connection;
    private readonly List<int> _held = [];

    private ShardLocks(NpgsqlDataSource db, NpgsqlConnection connection) => (_db, _connection) = (db, connection);

    /// <summary>Takes the locks of every shard of the projection, or none (null) when a service holds one.</summary>
    public static async Task<ShardLocks?> TryTake(IDocumentStore store, NpgsqlDataSource db, string projection, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var baseId = ((DocumentStore)store).Options.Projections.DaemonLockId;
        var ids = store.Advanced.AllAsyncProjectionShardNames()
            .Where(s => s.Name == projection)
            .Select(s => ProjectionLockIds.Compute(schema, s, baseId))
            .ToList();
        var locks = new ShardLocks(db, await db.OpenConnectionAsync(ct));
        try
        {
            foreach (var id in ids)
            {
                await using var take = new NpgsqlCommand("select pg_try_advisory_lock($1)", locks._connection);
                take.Parameters.Add(new() { Value = id });
                if (await take.ExecuteScalarAsync(ct) is not true)
                {
                    await locks.DisposeAsync();
                    return null;
                }
                locks._held.Add(id);
            }
            return locks;
        }
        catch
        {
            // Whether or not the last lock was taken, this physical connection must not go back
            // to the pool holding it (the pool does not reset sessions).
            db.Clear();
            await locks.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var id in _held)
            {
                await using var unlock = new NpgsqlCommand("select pg_advisory_unlock($1)", _connection);
                unlock.Parameters.Add(new() { Value = id });
                await unlock.ExecuteScalarAsync();
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The session is gone (and its locks with it), or alive but could not be told:
            // closing the connection instead of pooling it lets go of the locks either way.
            _db.Clear();
        }
        finally
        {
            _held.Clear();
            await _connection.DisposeAsync();
        }
    }
}
