using ActionTracker.Api.Events;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain.ActionItems;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Weasel.Core;

namespace ActionTracker.Api.Tests;

/// <summary>
/// The event log's reader over a Marten store in a schema of its own, where no daemon runs: the
/// tests move the high-water mark by hand, as the daemon would, so what is read is decided by the
/// mark alone.
/// </summary>
public sealed class ReadingTheEventLog(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task nothing_above_the_high_water_mark_is_read_and_nothing_at_all_before_there_is_one()
    {
        await using var local = await LocalEventLog.Create(api);
        var item = Guid.NewGuid();
        await local.Append(item, start: true, LocalEventLog.Created(item), LocalEventLog.Commented(item, "one"), LocalEventLog.Commented(item, "two"));

        // No daemon ever ran here: no mark, nothing to read, and the cursor stays where it was.
        var before = await local.Log.Read(LogPosition.Start, 10, null, default);
        Assert.Empty(before.Events);
        Assert.Equal(LogPosition.Start, before.Next);
        Assert.Equal(LogPosition.Start, await local.Log.Head(default));

        await local.Mark(2);
        var page = await local.Log.Read(LogPosition.Start, 10, null, default);
        Assert.Equal([1L, 2L], page.Events.Select(e => e.Position.Sequence));
        Assert.True(page.AtMark);
        Assert.Equal(new LogPosition(0, 2), page.Next);
        Assert.Equal(page.Next, await local.Log.Head(default));
        var caughtUp = await local.Log.Read(page.Next, 10, null, default);
        Assert.Empty(caughtUp.Events);
        Assert.Equal(page.Next, caughtUp.Next);

        // A full page ends at its last event; a short one at the mark, past what a filter skipped.
        var full = await local.Log.Read(LogPosition.Start, 1, null, default);
        Assert.False(full.AtMark);
        Assert.Equal(full.Events[0].Position, full.Next);
        var comments = await local.Log.Read(LogPosition.Start, 10, ["action_item_commented"], default);
        Assert.Equal([2L], comments.Events.Select(e => e.Position.Sequence));
        Assert.Equal(new LogPosition(0, 2), comments.Next);
        var moves = await local.Log.Read(LogPosition.Start, 10, ["action_item_assigned"], default);
        Assert.Empty(moves.Events);
        Assert.Equal(new LogPosition(0, 2), moves.Next);

        await local.Mark(3);
        var last = Assert.Single((await local.Log.Read(page.Next, 10, null, default)).Events);
        Assert.Equal("action_item_commented", last.Type);
        Assert.Equal("two", Assert.IsType<ActionItemCommented>(last.Data).Text);
        Assert.Equal((item, 3L), (last.StreamId, last.Version));
        Assert.Equal("test", last.Actor);
    }

    [Fact]
    public async Task positions_are_fixed_width_hex_that_sort_as_strings_and_other_shapes_are_refused()
    {
        var position = new LogPosition(0x6a1b2c3d, 0x1f);
        Assert.Equal("6a1b2c3d-000000000000001f", position.ToString());
        Assert.True(LogPosition.TryParse(position.ToString(), out var parsed));
        Assert.Equal(position, parsed);
        Assert.True(string.CompareOrdinal(new LogPosition(0, 0x1000).ToString(), new LogPosition(1, 2).ToString()) < 0);
        // The hand-built store's positions (transaction id, sequence) are not positions of this log.
        foreach (var bad in new[] { "00000000000002d4-0000000000000017", "yesterday", "6a1b2c3d-8000000000000000", "6a1b2c3d_000000000000001f", "" })
            Assert.False(LogPosition.TryParse(bad, out _), bad);
    }
}

/// <summary>
/// A restore to an earlier point (or a failover to a replica that had not seen the last
/// transactions) takes Marten's sequence back: the numbers of the lost events are handed out
/// again, to new events. Here the loss is played by hand (events, sequence and mark set back) and
/// the other cluster by the epoch's recorded identifier; start-up's check then begins an epoch.
/// </summary>
public sealed class ResumingAfterARestore(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task a_cursor_past_the_restore_point_resumes_at_the_first_event_written_after_the_restore()
    {
        await using var local = await LocalEventLog.Create(api);
        var item = Guid.NewGuid();
        await local.Append(item, start: true, LocalEventLog.Created(item),
            LocalEventLog.Commented(item, "kept 1"), LocalEventLog.Commented(item, "kept 2"), LocalEventLog.Commented(item, "lost 1"), LocalEventLog.Commented(item, "lost 2"));
        await local.Mark(5);
        var cursor = (await local.Log.Read(LogPosition.Start, 100, null, default)).Next;
        Assert.Equal(new LogPosition(0, 5), cursor);

        var s = local.Schema;
        await api.Database.Execute(
            $"""
            delete from {s}.mt_events where seq_id > 3;
            update {s}.mt_streams set version = 3;
            select setval('{s}.mt_events_sequence', 3);
            select {s}.mt_mark_event_progression('HighWaterMark', 3);
            update event_log_epochs set system_identifier = 0 where epoch = (select max(epoch) from event_log_epochs);
            """);
        var epochs = new EventLogEpochs(local.Store, api.Database.DataSource, NullLogger<EventLogEpochs>.Instance);
        var epoch = await epochs.Ensure();
        Assert.NotNull(epoch);
        Assert.Null(await epochs.Ensure());
        Assert.Equal(4L, await api.Database.Scalar<long>("select first_seq from event_log_epochs where epoch = $1", epoch.Value));

        await local.Append(item, start: false, LocalEventLog.Commented(item, "new 1"), LocalEventLog.Commented(item, "new 2"));
        await local.Mark(5);

        // Numbers 4 and 5 again, behind the cursor: the new epoch puts them after it.
        var resumed = (await local.Log.Read(cursor, 100, null, default)).Events;
        Assert.Equal(["new 1", "new 2"], resumed.Select(e => ((ActionItemCommented)e.Data).Text));
        Assert.Equal([new LogPosition(epoch.Value, 4), new LogPosition(epoch.Value, 5)], resumed.Select(e => e.Position));
        Assert.All(resumed, e => Assert.True(string.CompareOrdinal(e.Position.ToString(), cursor.ToString()) > 0));
        Assert.Empty((await local.Log.Read(resumed[^1].Position, 100, null, default)).Events);

        // From the start: what was kept, then what is new, in order.
        var all = (await local.Log.Read(LogPosition.Start, 100, null, default)).Events;
        Assert.Equal([new(0, 1), new(0, 2), new(0, 3), new(epoch.Value, 4), new LogPosition(epoch.Value, 5)], all.Select(e => e.Position));

        // A cursor of an epoch that was lost with the rolled-back timeline resumes there too.
        var lost = (await local.Log.Read(new LogPosition(epoch.Value - 1, 9), 100, null, default)).Events;
        Assert.Equal(["new 1", "new 2"], lost.Select(e => ((ActionItemCommented)e.Data).Text));
    }
}

/// <summary>A Marten store for events only, configured as the service's, in a schema of its own on a fixture's database.</summary>
public sealed class LocalEventLog : IAsyncDisposable
{
    private readonly Npgsql.NpgsqlDataSource _db;

    private LocalEventLog(DocumentStore store, Npgsql.NpgsqlDataSource db, string schema)
    {
        (Store, _db, Schema) = (store, db, schema);
        Log = new EventLog(store, db);
    }

    public DocumentStore Store { get; }

    public EventLog Log { get; }

    public string Schema { get; }

    public static async Task<LocalEventLog> Create(ApiFixture api)
    {
        var schema = "log_" + Guid.NewGuid().ToString("N")[..8];
        var store = DocumentStore.For(options =>
        {
            options.Connection(api.Database.ConnectionString);
            options.DatabaseSchemaName = schema;
            options.Events.StreamIdentity = StreamIdentity.AsGuid;
            options.Events.AppendMode = EventAppendMode.Quick;
            options.Events.MetadataConfig.CorrelationIdEnabled = true;
            options.Events.MetadataConfig.CausationIdEnabled = true;
            options.Events.MetadataConfig.HeadersEnabled = true;
            options.Events.MetadataConfig.UserNameEnabled = true;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, StoreSetup.Configure);
            options.Events.AddEventTypes([.. ActionItemEvents.All, typeof(ActionTracker.Api.Digests.WeeklyDigestPublished)]);
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new LocalEventLog(store, api.Database.DataSource, schema);
    }

    public static ActionItemCreated Created(Guid id) =>
        new(id, "Rotate the signing keys", null, "log", "ann", Priority.High, DateTimeOffset.UtcNow.AddDays(30), null, [], "lead", DateTimeOffset.UtcNow);

    public static ActionItemCommented Commented(Guid id, string text) => new(id, Guid.NewGuid(), text, "ann", DateTimeOffset.UtcNow);

    public async Task Append(Guid item, bool start, params object[] events)
    {
        await using var session = Store.LightweightSession();
        session.LastModifiedBy = "test";
        if (start)
            session.Events.StartStream<ActionItem>(item, events);
        else
            session.Events.Append(item, events);
        await session.SaveChangesAsync();
    }

    /// <summary>Sets the high-water mark, as the daemon's agent does.</summary>
    public async Task Mark(long sequence)
    {
        await using var command = _db.CreateCommand($"select {Schema}.mt_mark_event_progression('HighWaterMark', $1)");
        command.Parameters.Add(new() { Value = sequence });
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
