using Npgsql;

namespace ActionTracker.EventStore.Tests;

public sealed class ReadingAllEvents(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private EventStore Store => fixture.Store;

    [Fact]
    public void positions_render_as_strings_that_sort_like_the_positions()
    {
        var positions = new[] { new Position(9, 100), new Position(10, 2), new Position(10, 11), new Position(ulong.MaxValue >> 1, 1) };
        var strings = positions.Select(p => p.ToString()).ToArray();

        Assert.Equal(strings.Order(StringComparer.Ordinal), strings);
        Assert.All(positions, p => Assert.True(Position.TryParse(p.ToString(), out var parsed) && parsed == p));
        Assert.False(Position.TryParse("12", out _));
        Assert.False(Position.TryParse("zzzzzzzzzzzzzzzz-0000000000000001", out _));
    }

    [Fact]
    public async Task an_event_committed_late_is_not_skipped_by_a_reader_that_moved_on()
    {
        var start = await Tail();

        // T1 takes a transaction id and writes an event, then stays open.
        await using var slow = await fixture.Database.DataSource.OpenConnectionAsync();
        await using var t1 = await slow.BeginTransactionAsync();
        var slowStream = Guid.CreateVersion7();
        await using (var write = new NpgsqlBatch(slow, t1)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("select start_stream($1, 'counter', 1, now())") { Parameters = { new() { Value = slowStream } } },
                new NpgsqlBatchCommand(
                    """
                    insert into events (id, stream_id, version, type, data, metadata, occurred_at)
                    values (gen_random_uuid(), $1, 1, 'counter_started', '{"name":"slow"}', '{"actor":"slow"}', now())
                    """) { Parameters = { new() { Value = slowStream } } },
            },
        })
        {
            await write.ExecuteNonQueryAsync();
        }

        // T2 starts later, commits first.
        var fast = await fixture.StartCounter("fast");
        var whileT1Runs = await Store.ReadAll(start, 100);
        Assert.DoesNotContain(whileT1Runs, e => e.StreamId == fast);
        Assert.DoesNotContain(whileT1Runs, e => e.StreamId == slowStream);

        await t1.CommitAsync();
        var after = whileT1Runs.Count > 0 ? whileT1Runs[^1].Position : start;
        // Transactions of other tests in the cluster may hold the horizon a moment longer.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var rest = new List<StoredEvent>();
        while (rest.Count < 2)
        {
            var page = await Store.ReadAll(after, 100);
            rest.AddRange(page.Where(e => e.StreamId == slowStream || e.StreamId == fast));
            if (page.Count > 0)
                after = page[^1].Position;
            else
                await Task.Delay(10, timeout.Token);
        }
        Assert.Equal([slowStream, fast], rest.Select(e => e.StreamId));
    }

    [Fact]
    public async Task a_reader_following_the_cursor_sees_every_event_once_in_stream_order_under_concurrent_writers()
    {
        var start = await Tail();
        var streams = new List<Guid>();
        for (var i = 0; i < 8; i++)
            streams.Add(await fixture.StartCounter($"s{i}"));
        const int appendsPerWriter = 25;
        const int writersPerStream = 3;

        var total = streams.Count * (1 + writersPerStream * appendsPerWriter);

        // The reader follows the cursor while the writers run, until it has seen every event.
        // Transactions in other databases of the cluster also hold the horizon back, so it may
        // need a moment after the writers finish; the bound only stops a broken reader.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var seen = new List<StoredEvent>();
        var ours = streams.ToHashSet();
        var reader = Task.Run(async () =>
        {
            var position = start;
            while (seen.Count < total)
            {
                timeout.Token.ThrowIfCancellationRequested();
                var page = await Store.ReadAll(position, 37);
                seen.AddRange(page.Where(e => ours.Contains(e.StreamId)));
                if (page.Count > 0)
                    position = page[^1].Position;
                else
                    await Task.Delay(5, timeout.Token);
            }
        });

        // Each append holds its transaction open for a random moment after writing its events,
        // so transactions commit in an order unrelated to their sequence numbers.
        var writers = streams.SelectMany(id => Enumerable.Range(0, writersPerStream).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < appendsPerWriter; i++)
                await AppendWithDelayedCommit(id, Random.Shared.Next(0, 4));
        })));
        await Task.WhenAll(writers);
        await reader;

        var stored = new List<long>();
        await using (var all = fixture.Database.DataSource.CreateCommand("select seq from events where stream_id = any($1) order by seq"))
        {
            all.Parameters.Add(new() { Value = streams.ToArray() });
            await using var rows = await all.ExecuteReaderAsync();
            while (await rows.ReadAsync())
                stored.Add(rows.GetInt64(0));
        }
        Assert.Equal(total, stored.Count);
        Assert.Equal(stored, seen.Select(e => e.Seq).Order());
        Assert.Equal(seen.Count, seen.Select(e => e.Seq).Distinct().Count());
        for (var i = 1; i < seen.Count; i++)
            Assert.True(seen[i - 1].Position < seen[i].Position, "positions handed out in order");
        foreach (var stream in seen.GroupBy(e => e.StreamId))
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
    }

    private async Task AppendWithDelayedCommit(Guid id, int milliseconds)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var session = Store.OpenSession(new EventMetadata("writer"));
            var stream = (await session.FetchForWriting<Counter>(id, exclusive: attempt > 0))!;
            stream.Append([new CounterIncremented(1)]);
            session.Queue("select pg_sleep($1)", milliseconds / 1000.0);
            try
            {
                await session.SaveChanges();
                return;
            }
            catch (ConcurrencyException)
            {
            }
        }
    }

    private async Task<Position> Tail()
    {
        var position = Position.Start;
        for (var page = await Store.ReadAll(position, 1000); page.Count > 0; page = await Store.ReadAll(position, 1000))
            position = page[^1].Position;
        return position;
    }
}
