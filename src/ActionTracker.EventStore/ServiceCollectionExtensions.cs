using ActionTracker.EventStore.Messaging;
using ActionTracker.EventStore.Projections;
using ActionTracker.EventStore.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace ActionTracker.EventStore;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the event store on one shared <see cref="NpgsqlDataSource"/>. The application adds
    /// its aggregates, inline projections and migrations with the other extension methods.
    /// </summary>
    public static IServiceCollection AddEventStore(
        this IServiceCollection services,
        string connectionString,
        Action<EventTypeRegistry> registerTypes,
        Action<EventStoreOptions>? configure = null)
    {
        var options = new EventStoreOptions();
        configure?.Invoke(options);
        var types = new EventTypeRegistry();
        registerTypes(types);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddSingleton(options);
        services.AddSingleton(types);
        services.AddSingleton<EventStore>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<IMigrationSource, EventStoreSchema>();
        return services;
    }

    /// <summary>
    /// Scheduled work and the outbox, with the background loop that runs them on every replica.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, ScheduledWorkOptions scheduled, OutboxOptions outbox)
    {
        services.AddSingleton(scheduled);
        services.AddSingleton(outbox);
        services.AddSingleton<IMigrationSource, MessagingSchema>();
        services.AddSingleton<MessageScheduler>();
        services.AddSingleton<ScheduledWork>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<MessagingMetrics>();
        services.AddHostedService<MessagingLoops>();
        return services;
    }

    /// <summary>The async projection daemon; add projections with <see cref="AddAsyncProjection{TProjection}"/>.</summary>
    public static IServiceCollection AddProjectionDaemon(this IServiceCollection services, ProjectionOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<IMigrationSource, ProjectionSchema>();
        services.AddSingleton<ProjectionDaemon>();
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionDaemon>());
        return services;
    }

    public static IServiceCollection AddAsyncProjection<TProjection>(this IServiceCollection services)
        where TProjection : class, IAsyncProjection =>
        services.AddSingleton<IAsyncProjection, TProjection>();

    public static IServiceCollection AddScheduledHandler<TMessage, THandler>(this IServiceCollection services)
        where THandler : class, IScheduledHandler<TMessage>
    {
        services.AddSingleton<IScheduledHandler<TMessage>, THandler>();
        services.AddSingleton<IScheduledDispatch, ScheduledDispatch<TMessage>>();
        return services;
    }

    public static IServiceCollection AddAggregate<TState, TDefinition>(this IServiceCollection services)
        where TState : class
        where TDefinition : class, IAggregateDefinition<TState> =>
        services.AddSingleton<IAggregateDefinition<TState>, TDefinition>();

    public static IServiceCollection AddInlineProjection<TState, TProjection>(this IServiceCollection services)
        where TState : class
        where TProjection : class, IInlineProjection<TState> =>
        services.AddSingleton<IInlineProjection<TState>, TProjection>();

    /// <summary>Reads the stream's state for writing from an inline projection's row (see <see cref="IStateSnapshot{TState}"/>).</summary>
    public static IServiceCollection AddStateSnapshot<TState, TSnapshot>(this IServiceCollection services)
        where TState : class
        where TSnapshot : class, IStateSnapshot<TState> =>
        services.AddSingleton<IStateSnapshot<TState>, TSnapshot>();

    public static IServiceCollection AddMigrations<TSource>(this IServiceCollection services)
        where TSource : class, IMigrationSource =>
        services.AddSingleton<IMigrationSource, TSource>();
}
