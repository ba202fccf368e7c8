using ActionTracker.EventStore.Projections;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.EventStore.Tests;

/// <summary>Totals per counter, built asynchronously from the global order.</summary>
public sealed class CounterTotals(EventStoreOptions options, int version = 1) : DocumentProjection<CounterTotals.Doc>(options.Json)
{
    public sealed record Doc(string Name, int Total, int Increments);

    public override string Name => "counter_totals";
    public override int Version => version;
    protected override string Table => "counter_totals";
    protected override string Columns => ", total int generated always as ((data->>'total')::int) stored";
    protected override string Indexes => "create index on {0} (total);";

    protected override Guid? DocumentId(StoredEvent e) => e.Type.StartsWith("counter_", StringComparison.Ordinal) ? e.StreamId : null;

    protected override Doc? Apply(Doc? doc, StoredEvent e) => e.Data switch
    {
        CounterStarted s => new Doc(s.Name, 0, 0),
        CounterIncremented i when doc is not null => doc with { Total = doc.Total + i.By, Increments = doc.Increments + 1 },
        _ => doc,
    };
}

public sealed class RunningAsyncProjections(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private ProjectionRunner Runner(IServiceProvider? services = null, int version = 1)
    {
        services ??= fixture.Services;
        return new ProjectionRunner(new CounterTotals(services.GetRequiredService<EventStoreOptions>(), version), services.GetRequiredService<EventStore>(),
            services.GetRequiredService<Npgsql.NpgsqlDataSource>(), new ProjectionOptions { BatchSize = 7 }, fixture.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    private async Task<Dictionary<string, string>> Snapshot() 
    {
        var rows = new Dictionary<string, string>();
        await using var command = fixture.Database.DataSource.CreateCommand("select id::text, data::text from counter_totals");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows[reader.GetString(0)] = reader.GetString(1);
        return rows;
    }

    /// <summary>
    /// Catches up until the runner has read everything written so far. Transactions of other
    /// tests in the same cluster can hold the horizon back for a moment, so one call may stop short.
    /// </summary>
    private async Task CatchUpFully(ProjectionRunner runner)
    {
        var last = (await fixture.Database.Scalar<long>("select coalesce(max(seq), 0) from events"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await runner.CatchUp(timeout.Token);
            Position.TryParse((await runner.Status(timeout.Token))!.Position, out var at);
            if (await fixture.Database.Scalar<long>("select count(*) from events where seq <= $1 and (tx_id, seq) > ($2::text::xid8, $3)",
                    last, at.TxId.ToString(System.Globalization.CultureInfo.InvariantCulture), at.Seq) == 0)
                return;
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task a_runner_catches_up_writes_its_checkpoint_and_applies_nothing_twice()
    {
        await using var runner = Runner();
        Assert.True(await runner.TryLead(default));
        await runner.CatchUp(default);

        var id = await fixture.StartCounter("deploys");
        for (var i = 1; i <= 10; i++)
            await fixture.Increment(id, i);
        await CatchUpFully(runner);
        Assert.Equal(0, await runner.CatchUp(default));

        Assert.Equal(55, await fixture.Database.Scalar<int>("select total from counter_totals where id = $1", id));
        var status = (await runner.Status(default))!;
        Assert.True(Position.TryParse(status.Position, out var checkpoint));
        Assert.Equal((await fixture.Store.ReadStream(id))[^1].Position, checkpoint);
    }

    [Fact]
    public async Task only_one_replica_runs_a_projection_and_another_takes_over_when_it_dies()
    {
        await using var first = Runner();
        await using var second = Runner();
        Assert.True(await first.TryLead(default));
        Assert.False(await second.TryLead(default));
        Assert.Equal(0, await second.CatchUp(default));

        await first.DisposeAsync(); // the replica died: its connection, and so its lock, is gone
        var id = await fixture.StartCounter("after-takeover");
        await fixture.Increment(id, 4);

        Assert.True(await second.TryLead(default));
        await CatchUpFully(second);
        Assert.Equal(4, await fixture.Database.Scalar<int>("select total from counter_totals where id = $1", id));
    }

    [Fact]
    public async Task a_rebuild_reproduces_the_same_read_model_and_keeps_up_with_writes_after_the_swap()
    {
        await using var runner = Runner();
        Assert.True(await runner.TryLead(default));
        for (var c = 0; c < 5; c++)
        {
            var id = await fixture.StartCounter($"r{c}");
            for (var i = 0; i < 6; i++)
                await fixture.Increment(id, c + i);
        }
        await CatchUpFully(runner);
        var before = await Snapshot();

        var reports = new List<(long Done, long Total)>();
        await runner.Rebuild(new SynchronousProgress(reports), default);
        await CatchUpFully(runner);

        Assert.Equal(before, await Snapshot());
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.True(r.Done <= r.Total));
        var status = (await runner.Status(default))!;
        Assert.NotNull(status.RebuiltAt);
        Assert.Null(status.RebuildRequestedAt);

        var later = await fixture.StartCounter("after-rebuild");
        await fixture.Increment(later, 9);
        await CatchUpFully(runner);
        Assert.Equal(9, await fixture.Database.Scalar<int>("select total from counter_totals where id = $1", later));
        Assert.Equal(before.Count + 1, (await Snapshot()).Count);
    }

    [Fact]
    public async Task a_new_projection_version_is_rebuilt_before_it_runs_on()
    {
        await using (var v1 = Runner())
        {
            Assert.True(await v1.TryLead(default));
            await CatchUpFully(v1);
        }
        await fixture.Database.Execute("update counter_totals set data = jsonb_set(data, '{total}', '-1')");

        await using var v2 = Runner(version: 2);
        Assert.True(await v2.TryLead(default));
        Assert.NotNull((await v2.Status(default))!.RebuildRequestedAt);
        await v2.CatchUp(default); // rebuilds
        await CatchUpFully(v2);

        Assert.Equal(2, (await v2.Status(default))!.Version);
        Assert.Equal(0L, await fixture.Database.Scalar<long>("select count(*) from counter_totals where total = -1"));
    }

    private sealed class SynchronousProgress(List<(long, long)> reports) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) => reports.Add(value);
    }
}
