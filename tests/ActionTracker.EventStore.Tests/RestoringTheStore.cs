using ActionTracker.EventStore.Schema;
using ActionTracker.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ActionTracker.EventStore.Tests;

/// <summary>
/// A logical dump restored into a new cluster: transaction ids start again from a few hundred
/// there, far below the positions readers hold. The new epoch keeps the order.
/// </summary>
public sealed class RestoringTheStore(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task a_reader_holding_a_cursor_from_before_a_restore_into_a_new_cluster_sees_every_new_event()
    {
        // Spend transaction ids, so the old cluster is well ahead of a fresh one.
        await fixture.Database.Execute("do $$ begin for i in 1..2000 loop perform pg_current_xact_id(); commit; end loop; end $$");
        var before = await fixture.StartCounter("before the restore");
        var cursor = await Past(fixture.Store, before);

        await using var restored = await RestoredCluster.From(fixture.Database.ConnectionString);
        await using var services = StoreFixture.Build(restored.ConnectionString, fixture.Clock);
        await services.GetRequiredService<SchemaMigrator>().Migrate();
        var store = services.GetRequiredService<EventStore>();
        var counter = await StoreFixture.StartCounter(services, "after the restore");

        var seen = await store.ReadAll(cursor, 100);

        var only = Assert.Single(seen);
        Assert.Equal(counter, only.StreamId);
        Assert.Equal(cursor.Epoch + 1, only.Position.Epoch);
        // What the epoch guards against: the new cluster's transaction id is behind the cursor.
        Assert.True((only.Position.TxId & 0xFFFF_FFFF_FFFF) < (cursor.TxId & 0xFFFF_FFFF_FFFF),
            $"the restored cluster's transaction id {only.Position.TxId & 0xFFFF_FFFF_FFFF} should be behind the cursor's {cursor.TxId}");
        Assert.Empty(await store.ReadAll(only.Position, 100));
    }

    [Fact]
    public async Task starting_again_on_the_same_cluster_keeps_the_epoch()
    {
        var before = await fixture.Database.Scalar<int>("select max(epoch) from store_epochs");

        await fixture.Services.GetRequiredService<SchemaMigrator>().Migrate();

        Assert.Equal(before, await fixture.Database.Scalar<int>("select max(epoch) from store_epochs"));
    }

    /// <summary>
    /// The position of <paramref name="stream"/>'s first event, as a reader following the store
    /// reaches it (bounded: other databases' transactions in the cluster can hold the horizon).
    /// </summary>
    private static async Task<Position> Past(EventStore store, Guid stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var from = Position.Start;
        while (true)
        {
            var page = await store.ReadAll(from, 1000, timeout.Token);
            if (page.FirstOrDefault(e => e.StreamId == stream) is { } found)
                return found.Position;
            if (page.Count > 0)
                from = page[^1].Position;
            else
                await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>A new cluster from <c>ops/pg</c>, holding a pg_dump of the given database.</summary>
    private sealed class RestoredCluster : IAsyncDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"at-restore-{Guid.NewGuid():N}");

        public string ConnectionString { get; private set; } = "";

        public static async Task<RestoredCluster> From(string source)
        {
            var cluster = new RestoredCluster();
            var port = OpsScripts.FreePort();
            await OpsScripts.RunOps("pg", $"start {cluster._dir} {port}", ("PG_FAST", "1"));
            var bin = (await OpsScripts.RunOps("pg", "bin")).Trim();
            var from = new NpgsqlConnectionStringBuilder(source);
            var dump = cluster._dir + ".dump";
            await OpsScripts.Run(Path.Combine(bin, "pg_dump"), $"-h {from.Host} -p {from.Port} -U {from.Username} -Fc -f {dump} {from.Database}");
            await OpsScripts.Run(Path.Combine(bin, "createdb"), $"-h 127.0.0.1 -p {port} -U postgres restored");
            await OpsScripts.Run(Path.Combine(bin, "pg_restore"), $"-h 127.0.0.1 -p {port} -U postgres -d restored --exit-on-error {dump}");
            File.Delete(dump);
            cluster.ConnectionString = new NpgsqlConnectionStringBuilder(source) { Port = port, Database = "restored" }.ConnectionString;
            return cluster;
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await OpsScripts.RunOps("pg", $"stop {_dir}");
            Directory.Delete(_dir, recursive: true);
        }
    }
}
