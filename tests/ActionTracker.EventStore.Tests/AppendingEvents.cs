using ActionTracker.EventStore.Schema;
using Npgsql;

namespace ActionTracker.EventStore.Tests;

public sealed class AppendingEvents(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private EventStore Store => fixture.Store;

    [Fact]
    public async Task a_started_stream_reads_back_with_its_events_versions_and_metadata()
    {
        var id = Guid.CreateVersion7();
        await using (var session = Store.OpenSession(new EventMetadata("alice", CorrelationId: "corr-1", CausationId: "cause-1", TraceParent: "00-abc-def-01")))
        {
            session.StartStream<Counter>(id, [new CounterStarted("deploys"), new CounterIncremented(2)]);
            await session.SaveChanges();
        }

        var events = await Store.ReadStream(id);
        Assert.Equal([1L, 2L], events.Select(e => e.Version));
        Assert.Equal(["counter_started", "counter_incremented"], events.Select(e => e.Type));
        Assert.Equal(new CounterStarted("deploys"), events[0].Data);
        Assert.Equal(new CounterIncremented(2), events[1].Data);
        Assert.All(events, e => Assert.Equal(new EventMetadata("alice", "corr-1", "cause-1", "00-abc-def-01"), e.Metadata));
        Assert.True(events[0].Position < events[1].Position);

        await using var reader = Store.OpenSession(new EventMetadata("bob"));
        var stream = await reader.FetchForWriting<Counter>(id);
        Assert.Equal(2, stream!.Version);
        Assert.Equal(new Counter("deploys", 2, 1), stream.State);
    }

    [Fact]
    public async Task the_inline_projection_is_written_in_the_same_transaction()
    {
        var id = await fixture.StartCounter("builds");
        await fixture.Increment(id, 5, actor: "carol");

        Assert.Equal(5, await fixture.Database.Scalar<int>("select total from counters where id = $1", id));
        Assert.Equal(2L, await fixture.Database.Scalar<long>("select version from counters where id = $1", id));
        Assert.Equal("carol", await fixture.Database.Scalar<string>("select last_actor from counters where id = $1", id));
    }

    [Fact]
    public async Task starting_a_stream_that_exists_is_a_conflict_and_writes_nothing()
    {
        var id = await fixture.StartCounter();

        await using var session = Store.OpenSession(new EventMetadata("tester"));
        session.StartStream<Counter>(id, [new CounterStarted("again")]);
        await Assert.ThrowsAsync<ConcurrencyException>(() => session.SaveChanges());

        Assert.Single(await Store.ReadStream(id));
        Assert.Equal("c", await fixture.Database.Scalar<string>("select name from counters where id = $1", id));
    }

    [Fact]
    public async Task appending_on_a_stale_version_is_a_conflict_and_writes_nothing()
    {
        var id = await fixture.StartCounter();
        await using var stale = Store.OpenSession(new EventMetadata("slow"));
        var staleStream = (await stale.FetchForWriting<Counter>(id))!;

        await fixture.Increment(id, 1);

        staleStream.Append([new CounterIncremented(100)]);
        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() => stale.SaveChanges());
        Assert.Equal(id, conflict.StreamId);
        Assert.Equal(2, (await Store.ReadStream(id)).Count);
        Assert.Equal(1, await fixture.Database.Scalar<int>("select total from counters where id = $1", id));
    }

    [Fact]
    public async Task a_failing_queued_write_rolls_back_the_events_and_the_projection()
    {
        var id = await fixture.StartCounter();
        await using var session = Store.OpenSession(new EventMetadata("tester"));
        var stream = (await session.FetchForWriting<Counter>(id))!;
        stream.Append([new CounterIncremented(7)]);
        session.Queue("insert into no_such_table values (1)");

        await Assert.ThrowsAsync<PostgresException>(() => session.SaveChanges());

        Assert.Single(await Store.ReadStream(id));
        Assert.Equal(0, await fixture.Database.Scalar<int>("select total from counters where id = $1", id));
    }

    [Fact]
    public async Task parallel_appends_to_one_stream_lose_no_update_and_keep_versions_contiguous()
    {
        var id = await fixture.StartCounter();
        const int writers = 40;

        await Task.WhenAll(Enumerable.Range(1, writers).Select(i => Task.Run(() => fixture.Increment(id, i))));

        var events = await Store.ReadStream(id);
        Assert.Equal(Enumerable.Range(1, writers + 1).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(Enumerable.Range(1, writers).Sum(), events.Skip(1).Sum(e => ((CounterIncremented)e.Data).By));
        Assert.Equal(Enumerable.Range(1, writers).Sum(), await fixture.Database.Scalar<int>("select total from counters where id = $1", id));
        Assert.Equal(writers + 1L, await fixture.Database.Scalar<long>("select version from streams where id = $1", id));
    }

    [Fact]
    public async Task an_exclusive_session_holds_off_other_writers_until_it_saves()
    {
        var id = await fixture.StartCounter();
        await using var holder = Store.OpenSession(new EventMetadata("holder"));
        var held = (await holder.FetchForWriting<Counter>(id, exclusive: true))!;

        var other = Task.Run(() => fixture.Increment(id, 10));
        await WaitUntilAWriterWaitsForALock();
        held.Append([new CounterIncremented(1)]);
        await holder.SaveChanges();
        await other;

        var events = await Store.ReadStream(id);
        Assert.Equal([1, 10], events.Skip(1).Select(e => ((CounterIncremented)e.Data).By));
    }

    private async Task WaitUntilAWriterWaitsForALock()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await fixture.Database.Scalar<long>("select count(*) from pg_locks where locktype = 'advisory' and not granted") == 0)
            await Task.Delay(10, timeout.Token);
    }
}

public sealed class MigratingTheSchema
{
    [Fact]
    public async Task replicas_starting_together_apply_each_migration_once()
    {
        var database = new ActionTracker.Testing.TestDatabase();
        await database.InitializeAsync();
        try
        {
            var providers = Enumerable.Range(0, 6).Select(_ => StoreFixture.Build(database.ConnectionString, TimeProvider.System)).ToList();
            await Task.WhenAll(providers.Select(p => Task.Run(() => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<SchemaMigrator>(p).Migrate())));

            var known = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetServices<IMigrationSource>(providers[0]).SelectMany(s => s.Migrations).Count();
            Assert.Equal(known, await database.Scalar<long>("select count(*) from schema_migrations"));
            foreach (var p in providers)
            {
                Assert.True(await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SchemaMigrator>(p).IsCurrent());
                await p.DisposeAsync();
            }
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
