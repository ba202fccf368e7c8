using System.Collections.Concurrent;
using ActionTracker.Api.Events;
using ActionTracker.Domain.ActionItems;
using Marten;
using Marten.Events.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ActionTracker.Api.Tests;

/// <summary>
/// DESIGN.md, "Never miss an event": a sequence number is taken when an event is inserted, not
/// when it commits. Writers here append through Marten sessions, many at once, some committing
/// after events numbered later, and two hold a number open for longer than Marten's stale
/// threshold (one inside an append held up by a lock, one reserved by hand), while a reader
/// follows <c>next</c> through the event log. The high-water mark is kept by a daemon started in
/// the test (only its high-water agent: the host runs none of its own in these tests).
/// </summary>
public sealed class NeverMissingAnEvent(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const int Writers = 8, CommentsEach = 5;

    private IDocumentStore Store => api.Services.GetRequiredService<IDocumentStore>();

    private EventLog Log => api.Services.GetRequiredService<EventLog>();

    private NpgsqlDataSource Db => api.Database.DataSource;

    private sealed record Seen(LoggedEvent Event, bool BeforeRelease);

    [Fact]
    public async Task a_follower_sees_every_event_once_in_stream_order_while_writers_commit_out_of_order_and_a_number_stays_reserved_past_the_stale_threshold()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var daemon = (ProjectionDaemon)await Store.BuildProjectionDaemonAsync();
        await daemon.StartHighWaterDetectionAsync();
        try
        {
            // Two items whose next event will be held back.
            var (lockedItem, reservedItem) = (Guid.NewGuid(), Guid.NewGuid());
            await Append(lockedItem, Created(lockedItem), start: true, ct: ct);
            await Append(reservedItem, Created(reservedItem), start: true, ct: ct);

            // Held back 1: an append that took its number and inserted its row, then waits for
            // a lock on its stream's row (mt_quick_append_events updates that row last).
            await using var locker = await Db.OpenConnectionAsync(ct);
            await using var lockTx = await locker.BeginTransactionAsync(ct);
            await Execute(locker, lockTx, "select 1 from mt_streams where id = $1 for update", lockedItem);
            var lockedAppend = Append(lockedItem, Commented(lockedItem, "held by a lock"), ct: ct);
            await Until(async () => await Scalar<long>(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") > 0, ct);

            // Held back 2: a number reserved by hand in an open transaction, inserted much later.
            await using var reserver = await Db.OpenConnectionAsync(ct);
            await using var reserveTx = await reserver.BeginTransactionAsync(ct);
            long reserved;
            await using (var next = new NpgsqlCommand("select nextval('mt_events_sequence')", reserver, reserveTx))
                reserved = (long)(await next.ExecuteScalarAsync(ct))!;

            var released = false;
            using var stopFollowing = new CancellationTokenSource();
            var seen = new ConcurrentQueue<Seen>();
            var expected = 2 + 2 + Writers * (1 + CommentsEach);
            var follower = Task.Run(async () =>
            {
                var at = LogPosition.Start;
                // Until every event is seen, or (bounded) a while after the last was written,
                // so that a miss shows below as what was missed.
                while (seen.Count < expected && !stopFollowing.IsCancellationRequested)
                {
                    var before = Volatile.Read(ref released) == false;
                    var page = await Log.Read(at, 7, null, ct);
                    Assert.True(page.Next >= at, $"next went back from {at} to {page.Next}");
                    foreach (var e in page.Events)
                        seen.Enqueue(new Seen(e, before));
                    at = page.Next;
                    if (page.Events.Count == 0)
                        await Task.Delay(20, ct);
                }
            }, ct);

            // Many writers at once, every other one committing late: its stream's row is locked
            // for a moment after it took its number, so events numbered later commit first.
            var items = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var item = Guid.NewGuid();
                await Append(item, Created(item), start: true, actor: $"writer-{w}", ct: ct);
                for (var i = 0; i < CommentsEach; i++)
                {
                    var comment = Commented(item, $"w{w}-{i}");
                    if (w % 2 == 0)
                        await Append(item, comment, actor: $"writer-{w}", ct: ct);
                    else
                        await AppendCommittingLate(item, comment, TimeSpan.FromMilliseconds(Random.Shared.Next(10, 120)), $"writer-{w}", ct);
                }
                return item;
            }, ct)));

            // Both numbers stay open well past the stale threshold, with later events committed:
            // a mark that skipped stale gaps without proof would pass them now.
            var threshold = Store.Options.Events.Daemon.StaleSequenceThreshold;
            await Task.Delay(threshold * 2 + TimeSpan.FromSeconds(2), ct);
            Assert.True(await Scalar<long>("select count(*) from mt_events where seq_id > $1", reserved) >= Writers * (1 + CommentsEach));
            var markWhileHeld = await Scalar<long>("select coalesce((select last_seq_id from mt_event_progression where name = 'HighWaterMark'), 0)");

            // Let both go: the reserved number is inserted now, and the lock released.
            Volatile.Write(ref released, true);
            var late = Commented(reservedItem, "reserved by hand");
            await Execute(reserver, reserveTx,
                """
                insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, user_name)
                values ($1, $2, $3, 2, $4::jsonb, 'action_item_commented', now(), '*DEFAULT*', $5, false, 'reserver')
                """,
                reserved, Guid.NewGuid(), reservedItem, Store.Options.Serializer().ToJson(late), $"{typeof(ActionItemCommented).FullName}, {typeof(ActionItemCommented).Assembly.GetName().Name}");
            await Execute(reserver, reserveTx, "update mt_streams set version = 2 where id = $1", reservedItem);
            await reserveTx.CommitAsync(ct);
            await lockTx.RollbackAsync(ct);
            await lockedAppend;
            stopFollowing.CancelAfter(TimeSpan.FromSeconds(30));

            await follower;
            var events = seen.Select(s => s.Event).ToList();
            // The held append took its number before the one reserved by hand.
            var firstHeld = Math.Min(reserved, await Scalar<long>("select seq_id from mt_events where stream_id = $1 and version = 2", lockedItem));
            // The daemon was live: its mark stood just before the first open number.
            Assert.Equal(firstHeld - 1, markWhileHeld);

            // Every committed event, once.
            var stored = await Stored(ct);
            Assert.Equal(expected, stored.Count);
            var missed = stored.Where(e => !events.Any(r => r.Id == e.Id)).Select(e => e.Sequence).ToList();
            Assert.True(missed.Count == 0, $"missed the events numbered {string.Join(", ", missed)}");
            Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
            // In order of position, as strings too.
            Assert.Equal(events.Select(e => e.Position).Order(), events.Select(e => e.Position));
            Assert.Equal(events.Select(e => e.Position.ToString()).Order(StringComparer.Ordinal), events.Select(e => e.Position.ToString()));
            // Each item's events in its order.
            foreach (var item in items.Append(lockedItem).Append(reservedItem))
                Assert.Equal(Enumerable.Range(1, item == lockedItem || item == reservedItem ? 2 : 1 + CommentsEach).Select(v => (long)v),
                    events.Where(e => e.StreamId == item).Select(e => e.Version));
            // Nothing numbered after an open number was read while it was open.
            Assert.All(seen.Where(s => s.BeforeRelease), s => Assert.True(s.Event.Position.Sequence < firstHeld,
                $"{s.Event.Position} was read while {firstHeld} was still open"));
            Assert.Contains(events, e => e.Position.Sequence == reserved && e.Data is ActionItemCommented { Text: "reserved by hand" } && e.Actor == "reserver");
            // The context the writers gave travels with the events.
            var written = events.Single(e => e.Data is ActionItemCommented { Text: "w3-4" });
            Assert.Equal("writer-3", written.Actor);
            Assert.Equal($"corr-{written.StreamId}", written.CorrelationId);
            Assert.Equal(TraceParent(written.StreamId), written.TraceParent);
        }
        finally
        {
            await daemon.StopAllAsync();
            daemon.Dispose();
        }
    }

    private static ActionItemCreated Created(Guid id) =>
        new(id, "Rotate the signing keys", null, "never-miss", "ann", Priority.High, DateTimeOffset.UtcNow.AddDays(30), null, [], "lead", DateTimeOffset.UtcNow);

    private static ActionItemCommented Commented(Guid id, string text) => new(id, Guid.NewGuid(), text, "ann", DateTimeOffset.UtcNow);

    private static string TraceParent(Guid stream) => $"00-{stream:N}-{stream.ToString("N")[..16]}-01";

    private async Task Append(Guid item, object e, bool start = false, string actor = "ann", CancellationToken ct = default)
    {
        await using var session = Session(item, actor);
        if (start)
            session.Events.StartStream<ActionItem>(item, e);
        else
            session.Events.Append(item, e);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>An append whose commit waits behind a lock on its stream's row until <paramref name="after"/> has passed.</summary>
    private async Task AppendCommittingLate(Guid item, object e, TimeSpan after, string actor, CancellationToken ct)
    {
        await using var locker = await Db.OpenConnectionAsync(ct);
        await using var tx = await locker.BeginTransactionAsync(ct);
        await Execute(locker, tx, "select 1 from mt_streams where id = $1 for update", item);
        await using var session = Session(item, actor);
        session.Events.Append(item, e);
        var saving = session.SaveChangesAsync(ct);
        await Task.Delay(after, ct);
        await tx.RollbackAsync(ct);
        await saving;
    }

    private IDocumentSession Session(Guid item, string actor)
    {
        var session = Store.LightweightSession();
        session.LastModifiedBy = actor;
        session.CorrelationId = $"corr-{item}";
        session.SetHeader(EventLog.TraceParentHeader, TraceParent(item));
        return session;
    }

    private async Task<List<(Guid Id, long Sequence)>> Stored(CancellationToken ct)
    {
        await using var command = Db.CreateCommand("select id, seq_id from mt_events order by seq_id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var stored = new List<(Guid, long)>();
        while (await reader.ReadAsync(ct))
            stored.Add((reader.GetGuid(0), reader.GetInt64(1)));
        return stored;
    }

    private async Task<T> Scalar<T>(string sql, params object[] parameters) => await api.Database.Scalar<T>(sql, parameters);

    private static async Task Execute(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, conn, tx);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task Until(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
            await Task.Delay(20, ct);
    }
}
