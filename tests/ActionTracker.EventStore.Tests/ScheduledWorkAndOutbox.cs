using ActionTracker.EventStore.Messaging;
using ActionTracker.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.EventStore.Tests;

public sealed class SchedulingWork(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private async Task Schedule(IncrementLater message, DateTimeOffset dueAt, string? key = null)
    {
        await using var session = fixture.Store.OpenSession(new EventMetadata("tester"));
        fixture.Services.GetRequiredService<MessageScheduler>().Schedule(session, key ?? $"inc:{Guid.NewGuid()}", message, dueAt);
        await session.SaveChanges();
    }

    private Task<int> Total(Guid id) => fixture.Database.Scalar<int>("select total from counters where id = $1", id);

    [Fact]
    public async Task a_message_is_handled_when_due_and_not_before()
    {
        var id = await fixture.StartCounter();
        await Schedule(new IncrementLater(id, 5), fixture.Clock.GetUtcNow().AddMinutes(10));
        var runner = fixture.Services.GetRequiredService<ScheduledWork>();

        Assert.Equal(0, await runner.RunDue());
        Assert.Equal(0, await Total(id));

        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await runner.RunDue());
        Assert.Equal(5, await Total(id));
        Assert.Equal(0, await runner.RunDue());
    }

    [Fact]
    public async Task scheduling_the_same_key_again_moves_the_message()
    {
        var id = await fixture.StartCounter();
        var now = fixture.Clock.GetUtcNow();
        await Schedule(new IncrementLater(id, 1), now.AddMinutes(1), key: $"move:{id}");
        await Schedule(new IncrementLater(id, 2), now.AddHours(1), key: $"move:{id}");

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await fixture.Services.GetRequiredService<ScheduledWork>().RunDue();
        Assert.Equal(0, await Total(id));

        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await fixture.Services.GetRequiredService<ScheduledWork>().RunDue();
        Assert.Equal(2, await Total(id));
    }

    [Fact]
    public async Task a_step_that_waits_for_its_streams_lock_is_read_after_the_writer_that_held_it()
    {
        var id = await fixture.StartCounter();
        await Schedule(new IncrementLater(id, 1), fixture.Clock.GetUtcNow());
        var runner = fixture.Services.GetRequiredService<ScheduledWork>();

        // Given a writer that holds the counter's lock, as a command does while it appends.
        await using var writer = await fixture.Database.DataSource.OpenConnectionAsync();
        await using var tx = await writer.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand("select pg_advisory_xact_lock(stream_lock_key($1))", writer, tx))
        {
            take.Parameters.Add(new() { Value = id });
            await take.ExecuteNonQueryAsync();
        }

        // When the step runs meanwhile, and the writer commits only once the step waits for it.
        var step = Task.Run(() => runner.RunDue());
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await fixture.Database.Scalar<long>("select count(*) from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())") == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the step never waited for the stream's lock");
            await Task.Yield();
        }
        long writerTx;
        await using (var write = new Npgsql.NpgsqlCommand("select pg_current_xact_id()::text::bigint", writer, tx))
            writerTx = (long)(await write.ExecuteScalarAsync())!;
        await tx.CommitAsync();
        Assert.Equal(1, await step);

        // Then the step's event sorts after anything the writer appended.
        var stepTx = await fixture.Database.Scalar<long>(
            "select tx_id::text::bigint & ((1::bigint << 48) - 1) from events where stream_id = $1 order by version desc limit 1", id);
        Assert.True(stepTx > writerTx, $"the step's transaction {stepTx} was given its id before the writer's {writerTx}");
        Assert.Equal(1, await Total(id));
    }

    [Fact]
    public async Task a_step_doing_slow_work_elsewhere_does_not_hold_back_what_readers_see()
    {
        await using (var session = fixture.Store.OpenSession(new EventMetadata("tester")))
        {
            fixture.Services.GetRequiredService<MessageScheduler>().Schedule(session, $"slow:{Guid.NewGuid()}", new SlowStep("digests"), fixture.Clock.GetUtcNow());
            await session.SaveChanges();
        }
        var gate = fixture.Services.GetRequiredService<SlowStepGate>();
        gate.Reset();
        var step = Task.Run(() => fixture.Services.GetRequiredService<ScheduledWork>().RunDue());
        await gate.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // A change committed while the step is still under way is readable at once (within the
        // bound: other databases' transactions in the test cluster may hold the horizon a moment).
        var id = await fixture.StartCounter();
        var written = ulong.Parse(await fixture.Database.Scalar<string>("select tx_id::text from events where stream_id = $1", id));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (ulong.Parse(await fixture.Database.Scalar<string>("select store_horizon()::text")) <= written)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "the step's open transaction held the readers' horizon back");
            await Task.Yield();
        }

        gate.Release.TrySetResult();
        Assert.Equal(1, await step);
    }

    [Fact]
    public async Task a_message_moved_while_its_step_runs_keeps_the_new_time_and_the_step_counts_for_nothing()
    {
        var key = $"slow:{Guid.NewGuid()}";
        var scheduler = fixture.Services.GetRequiredService<MessageScheduler>();
        async Task ScheduleAt(DateTimeOffset at)
        {
            await using var session = fixture.Store.OpenSession(new EventMetadata("tester"));
            scheduler.Schedule(session, key, new SlowStep("moved"), at);
            await session.SaveChanges();
        }
        await ScheduleAt(fixture.Clock.GetUtcNow());
        var gate = fixture.Services.GetRequiredService<SlowStepGate>();
        gate.Reset();
        var runner = fixture.Services.GetRequiredService<ScheduledWork>();
        var step = Task.Run(() => runner.RunDue());
        await gate.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var later = fixture.Clock.GetUtcNow().AddHours(1);
        await ScheduleAt(later);
        gate.Release.TrySetResult();

        Assert.Equal(0, await step);
        Assert.Equal(later.UtcDateTime, (await fixture.Database.Scalar<DateTime>("select due_at from scheduled_messages where key = $1 and dead_at is null and attempts = 0", key)));
        gate.Reset();
        gate.Release.TrySetResult();
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await runner.RunDue());
    }

    [Fact]
    public async Task many_runners_on_one_database_handle_each_message_exactly_once()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
            ids.Add(await fixture.StartCounter());
        var now = fixture.Clock.GetUtcNow();
        foreach (var id in ids)
            for (var n = 0; n < 20; n++)
                await Schedule(new IncrementLater(id, 1), now);

        var replicas = Enumerable.Range(0, 4).Select(_ => StoreFixture.Build(fixture.Database.ConnectionString, fixture.Clock)).ToList();
        try
        {
            var handled = await Task.WhenAll(replicas.Select(r => Task.Run(() => r.GetRequiredService<ScheduledWork>().RunDue())));

            Assert.Equal(100, handled.Sum());
            foreach (var id in ids)
                Assert.Equal(20, await Total(id));
        }
        finally
        {
            foreach (var replica in replicas)
                await replica.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_failing_handler_commits_nothing_is_retried_with_backoff_and_is_dead_lettered_after_the_last_attempt()
    {
        var id = await fixture.StartCounter();
        var key = $"fail:{id}";
        await Schedule(new IncrementLater(id, 1, Fail: true), fixture.Clock.GetUtcNow(), key);
        var runner = fixture.Services.GetRequiredService<ScheduledWork>();

        Assert.Equal(0, await runner.RunDue());
        Assert.Equal(0, await Total(id)); // the append rolled back with the failure
        Assert.Equal(1, await fixture.Database.Scalar<int>("select attempts from scheduled_messages where key = $1", key));
        Assert.Equal(0, await runner.RunDue()); // backing off: not due yet

        fixture.Clock.Advance(TimeSpan.FromSeconds(12));
        await runner.RunDue();
        fixture.Clock.Advance(TimeSpan.FromSeconds(25));
        await runner.RunDue();

        var dead = await runner.DeadLetters(10, default);
        var message = Assert.Single(dead, d => d.Key == key);
        Assert.Equal(3, message.Attempts);
        Assert.Contains("failed after appending", message.LastError);
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await runner.RunDue();
        Assert.Equal(0, await Total(id));

        Assert.True(await runner.Retry(message.Id, default));
        Assert.DoesNotContain(await runner.DeadLetters(10, default), d => d.Key == key);
    }

    [Fact]
    public async Task scheduling_if_absent_leaves_a_waiting_message_alone_and_replaces_a_dead_one()
    {
        var id = await fixture.StartCounter();
        var key = $"recurring:{id}";
        var now = fixture.Clock.GetUtcNow();
        var scheduler = fixture.Services.GetRequiredService<MessageScheduler>();
        var runner = fixture.Services.GetRequiredService<ScheduledWork>();
        async Task IfAbsent(IncrementLater message, DateTimeOffset dueAt)
        {
            await using var session = fixture.Store.OpenSession(new EventMetadata("tester"));
            scheduler.ScheduleIfAbsent(session, key, message, dueAt);
            await session.SaveChanges();
        }

        await IfAbsent(new IncrementLater(id, 1), now.AddHours(1));
        await IfAbsent(new IncrementLater(id, 2), now);
        await runner.RunDue();
        Assert.Equal(0, await Total(id)); // the waiting one stood: due in an hour

        await fixture.Database.Execute($"update scheduled_messages set dead_at = now() where key = '{key}'");
        await IfAbsent(new IncrementLater(id, 5), now);
        await runner.RunDue();
        Assert.Equal(5, await Total(id));
    }
}

public sealed class SendingThroughTheOutbox(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private Outbox Outbox => fixture.Services.GetRequiredService<Outbox>();
    private RecordingTransport Transport => fixture.Services.GetRequiredService<RecordingTransport>();

    private async Task<Guid> IncrementAndNotify(string destination)
    {
        var id = await fixture.StartCounter();
        await using var session = fixture.Store.OpenSession(new EventMetadata("tester"));
        var stream = (await session.FetchForWriting<Counter>(id))!;
        stream.Append([new CounterIncremented(1)]);
        Outbox.Enqueue(session, "test", destination, $$"""{"counter":"{{id}}"}""");
        await session.SaveChanges();
        return id;
    }

    [Fact]
    public async Task a_message_written_with_a_change_is_sent_once()
    {
        var destination = $"dest-{Guid.NewGuid()}";
        var id = await IncrementAndNotify(destination);

        await Outbox.DispatchDue();
        await Outbox.DispatchDue();

        var sent = Assert.Single(Transport.Sent, m => m.Destination == destination);
        Assert.Contains(id.ToString(), sent.Payload);
    }

    [Fact]
    public async Task a_message_whose_change_rolled_back_is_never_sent()
    {
        var destination = $"dest-{Guid.NewGuid()}";
        var id = await fixture.StartCounter();
        await using (var session = fixture.Store.OpenSession(new EventMetadata("tester")))
        {
            var stream = (await session.FetchForWriting<Counter>(id))!;
            stream.Append([new CounterIncremented(1)]);
            Outbox.Enqueue(session, "test", destination, "{}");
            session.Queue("select 1 / 0");
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => session.SaveChanges());
        }

        await Outbox.DispatchDue();

        Assert.DoesNotContain(Transport.Sent, m => m.Destination == destination);
    }

    [Fact]
    public async Task a_failed_send_is_retried_after_a_backoff_and_dead_lettered_after_the_last_attempt()
    {
        var destination = $"dest-{Guid.NewGuid()}";
        await IncrementAndNotify(destination);
        Transport.FailNext(1);

        await Outbox.DispatchDue();
        Assert.DoesNotContain(Transport.Sent, m => m.Destination == destination);
        await Outbox.DispatchDue(); // backing off
        Assert.DoesNotContain(Transport.Sent, m => m.Destination == destination);

        fixture.Clock.Advance(TimeSpan.FromSeconds(12));
        await Outbox.DispatchDue();
        Assert.Single(Transport.Sent, m => m.Destination == destination);

        var dying = $"dest-{Guid.NewGuid()}";
        await IncrementAndNotify(dying);
        Transport.FailNext(3);
        for (var i = 0; i < 3; i++)
        {
            await Outbox.DispatchDue();
            fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        }
        await Outbox.DispatchDue();
        Assert.DoesNotContain(Transport.Sent, m => m.Destination == dying);
        Assert.Equal(1L, await fixture.Database.Scalar<long>(
            "select count(*) from outbox where destination = $1 and dead_at is not null and attempts = 3", dying));
    }

    [Fact]
    public async Task a_replica_whose_lease_ran_out_during_a_send_leaves_the_rest_of_its_batch_to_the_one_that_took_over()
    {
        var destination = $"dest-{Guid.NewGuid()}";
        await IncrementAndNotify(destination);
        await IncrementAndNotify(destination);
        var (arrived, release) = Transport.Hold(m => m.Destination == destination);
        var slow = Outbox.DispatchDue();
        await arrived.WaitAsync(TimeSpan.FromSeconds(30));

        // Its first send outlasts the lease; another replica takes both messages and sends them.
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await using var other = StoreFixture.Build(fixture.Database.ConnectionString, fixture.Clock);
        await other.GetRequiredService<Outbox>().DispatchDue();
        release();
        await slow;

        var sent = Transport.Sent.Concat(other.GetRequiredService<RecordingTransport>().Sent).Where(m => m.Destination == destination)
            .GroupBy(m => m.Id).OrderBy(g => g.Key).Select(g => g.Count()).ToList();
        // The send under way when the lease ran out happens twice (at least once); nothing else does.
        Assert.Equal([2, 1], sent);
        Assert.Equal(0L, await fixture.Database.Scalar<long>("select count(*) from outbox where destination = $1 and delivered_at is null", destination));
    }

    [Fact]
    public async Task a_claim_left_by_a_replica_that_died_is_taken_over_after_the_lease()
    {
        var destination = $"dest-{Guid.NewGuid()}";
        await IncrementAndNotify(destination);
        // A replica claimed it and died before recording anything.
        await using (var claim = fixture.Database.DataSource.CreateCommand("update outbox set locked_until = $1, attempts = 1 where destination = $2"))
        {
            claim.Parameters.Add(new() { Value = fixture.Clock.GetUtcNow().AddMinutes(1) });
            claim.Parameters.Add(new() { Value = destination });
            await claim.ExecuteNonQueryAsync();
        }

        await Outbox.DispatchDue();
        Assert.DoesNotContain(Transport.Sent, m => m.Destination == destination);

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await Outbox.DispatchDue();
        Assert.Single(Transport.Sent, m => m.Destination == destination);
    }
}
