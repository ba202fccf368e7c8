using ActionTracker.EventStore;
using ActionTracker.EventStore.Schema;
using ActionTracker.Testing;
using System.Collections.Concurrent;
using ActionTracker.EventStore.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.EventStore.Tests;

// A tiny aggregate that exercises the store without knowing anything of action items.
public sealed record CounterStarted(string Name);
public sealed record CounterIncremented(int By);

public sealed record Counter(string Name, int Total, int Increments);

public sealed class CounterDefinition : IAggregateDefinition<Counter>
{
    public string StreamType => "counter";

    public Counter Evolve(Counter? state, object @event) => (state, @event) switch
    {
        (null, CounterStarted e) => new Counter(e.Name, 0, 0),
        (not null, CounterIncremented e) => state with { Total = state.Total + e.By, Increments = state.Increments + 1 },
        _ => throw new InvalidOperationException($"Unexpected {@event.GetType().Name}"),
    };
}

public sealed class CounterProjection : IInlineProjection<Counter>
{
    public void Project(ProjectionChange<Counter> change, ProjectionBatch batch) =>
        batch.Add(
            """
            insert into counters (id, name, total, version, last_actor) values ($1, $2, $3, $4, $5)
            on conflict (id) do update set total = excluded.total, version = excluded.version, last_actor = excluded.last_actor
            """,
            change.StreamId, change.State.Name, change.State.Total, change.Version, change.Metadata.Actor);
}

public sealed class CounterSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("tests", 1, "counters", "create table counters (id uuid primary key, name text not null, total int not null, version bigint not null, last_actor text not null)"),
    ];
}

/// <summary>An event store on a fresh database with the counter aggregate registered and migrated.</summary>
public sealed class StoreFixture : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    public ManualClock Clock { get; } = new();
    public ServiceProvider Services { get; private set; } = null!;
    public EventStore Store => Services.GetRequiredService<EventStore>();

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        Services = Build(Database.ConnectionString, Clock);
        await Services.GetRequiredService<SchemaMigrator>().Migrate();
    }

    public static ServiceProvider Build(string connectionString, TimeProvider clock)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddEventStore(connectionString, types => types.Register([typeof(CounterStarted), typeof(CounterIncremented)]));
        services.AddAggregate<Counter, CounterDefinition>();
        services.AddInlineProjection<Counter, CounterProjection>();
        services.AddMigrations<CounterSchema>();
        services.AddMessaging(
            new ScheduledWorkOptions { Enabled = false, MaxAttempts = 3, FirstBackoff = TimeSpan.FromSeconds(10) },
            new OutboxOptions { Enabled = false, MaxAttempts = 3, FirstBackoff = TimeSpan.FromSeconds(10) });
        services.AddScheduledHandler<IncrementLater, IncrementLaterHandler>();
        services.AddSingleton<SlowStepGate>();
        services.AddScheduledHandler<SlowStep, SlowStepHandler>();
        services.AddProjectionDaemon(new ActionTracker.EventStore.Projections.ProjectionOptions { Enabled = false });
        services.AddSingleton<RecordingTransport>();
        services.AddSingleton<IOutboxTransport>(sp => sp.GetRequiredService<RecordingTransport>());
        return services.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Database.DisposeAsync();
    }

    public Task<Guid> StartCounter(string name = "c") => StartCounter(Services, name);

    public static async Task<Guid> StartCounter(IServiceProvider services, string name)
    {
        var id = Guid.CreateVersion7();
        await using var session = services.GetRequiredService<EventStore>().OpenSession(new EventMetadata("tester"));
        session.StartStream<Counter>(id, [new CounterStarted(name)]);
        await session.SaveChanges();
        return id;
    }

    /// <summary>Increments the way the API does: optimistic first, then under the stream's lock.</summary>
    public async Task Increment(Guid id, int by, string actor = "tester")
    {
        try
        {
            await using var session = Store.OpenSession(new EventMetadata(actor));
            var stream = (await session.FetchForWriting<Counter>(id))!;
            stream.Append([new CounterIncremented(by)]);
            await session.SaveChanges();
        }
        catch (ConcurrencyException)
        {
            await using var session = Store.OpenSession(new EventMetadata(actor));
            var stream = (await session.FetchForWriting<Counter>(id, exclusive: true))!;
            stream.Append([new CounterIncremented(by)]);
            await session.SaveChanges();
        }
    }
}

/// <summary>A scheduled message: increment the counter when due; "fail" makes the handler throw after appending.</summary>
public sealed record IncrementLater(Guid CounterId, int By, bool Fail = false) : IStreamMessage
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Guid StreamId => CounterId;
}

public sealed class IncrementLaterHandler : IScheduledHandler<IncrementLater>
{
    public async Task Handle(IncrementLater message, EventSession session, CancellationToken ct)
    {
        var stream = (await session.FetchForWriting<Counter>(message.CounterId, exclusive: true, ct))!;
        stream.Append([new CounterIncremented(message.By)]);
        await session.SaveChanges(ct);
        if (message.Fail)
            throw new InvalidOperationException("the handler failed after appending");
    }
}

/// <summary>A scheduled step of no stream that does its work elsewhere and waits on a gate meanwhile.</summary>
public sealed record SlowStep(string Name);

public sealed class SlowStepGate
{
    public TaskCompletionSource Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Reset()
    {
        Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public sealed class SlowStepHandler(SlowStepGate gate) : IScheduledHandler<SlowStep>
{
    public async Task Handle(SlowStep message, EventSession session, CancellationToken ct)
    {
        gate.Arrived.TrySetResult();
        await gate.Release.Task;
    }
}

/// <summary>An outbox transport that records what it sends and can be told to fail.</summary>
public sealed class RecordingTransport : IOutboxTransport
{
    private int _failuresLeft;

    public string Kind => "test";

    public ConcurrentQueue<OutboxMessage> Sent { get; } = new();

    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    private (Func<OutboxMessage, bool> Which, TaskCompletionSource Arrived, TaskCompletionSource Release)? _hold;

    /// <summary>Holds the first send of a message that matches until <c>release</c>; <c>arrived</c> completes when it is held.</summary>
    public (Task Arrived, Action Release) Hold(Func<OutboxMessage, bool> which)
    {
        var hold = (which, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _hold = hold;
        return (hold.Item2.Task, () => hold.Item3.TrySetResult());
    }

    public async Task Send(OutboxMessage message, CancellationToken ct)
    {
        if (_hold is { } hold && hold.Which(message))
        {
            _hold = null;
            hold.Arrived.TrySetResult();
            await hold.Release.Task;
        }
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            throw new HttpRequestException("receiver unavailable");
        Sent.Enqueue(message);
    }
}
