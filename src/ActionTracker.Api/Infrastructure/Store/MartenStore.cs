using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events;
using Npgsql;
using Weasel.Core;
using Weasel.Postgresql.Tables;
using Wolverine.Marten;

namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>
/// Marten holds every action item as an event stream, folds it into the item's document inline,
/// and runs the async projections in its daemon. Events keep the names they have on the wire
/// (snake_case of the record) and the service's JSON settings.
/// </summary>
public static partial class MartenStore
{
    public static IServiceCollection AddMartenStore(this IServiceCollection services, IConfiguration configuration)
    {
        var daemon = configuration.GetValue("Projections:Enabled", true);
        // Two of Marten's append settings can be changed for measurement (docs/benchmarks.md,
        // "Write path: Marten's settings"); the defaults are the ones the guarantees are tested with.
        var appendMode = configuration.GetValue("Store:AppendMode", EventAppendMode.QuickWithServerTimestamps);
        var exclusiveLock = configuration.GetValue("Store:ExclusiveLockOnAppends", true);
        services.AddMarten(sp =>
            {
                var options = new StoreOptions();
                if (appendMode != EventAppendMode.QuickWithServerTimestamps || !exclusiveLock)
                    LogMeasurementSettings(sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MartenStore)), appendMode, exclusiveLock);
                options.Connection(sp.GetRequiredService<NpgsqlDataSource>());
                options.Events.TimeProvider = sp.GetRequiredService<TimeProvider>();
                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                // One function call per stream; event timestamps from the service's clock.
                options.Events.AppendMode = appendMode;
                // Marten owns its tables and drops indexes it did not declare: the digest's lookups of
                // one event type (due-date changes, team changes) go through this one.
                options.Events.EnableEventTypeIndex = true;
                // A writer that loses a race fails on the stream's version before it takes a
                // sequence number: no gap in the log, which readers would otherwise wait out.
                options.Events.UseExclusiveLockOnConcurrentAppends = exclusiveLock;
                options.Events.MetadataConfig.CorrelationIdEnabled = true;
                options.Events.MetadataConfig.CausationIdEnabled = true;
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Events.MetadataConfig.UserNameEnabled = true;
                // No spans of Marten's own around connections: a session that begins a transaction
                // (FetchForExclusiveWriting, which every item command and deadline check uses)
                // swaps its traced connection for an untraced one and never ends the span it
                // started, so the span leaked and every later span of the handler hung beneath
                // one that was never exported. Npgsql's spans (one per statement or batch, under
                // Wolverine's handler span) show the same work.
                options.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.None;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, StoreSetup.Configure);
                // Each feature adds its event types, documents and projections (ConfigureMarten).

                // The high-water mark is what every reader of the log (feed, stream, webhooks,
                // broker) waits behind. Marten polls for it every second once caught up; a quarter
                // second keeps a new event's lag to readers well under a second.
                options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
                return options;
            })
            .UseLightweightSessions()
            // Wolverine's outbox joins Marten's sessions: messages commit with the events.
            .IntegrateWithWolverine(w =>
            {
                w.MessageStorageSchemaName = Messaging.MessageStoreTables.DefaultSchema;
                w.AutoCreate = AutoCreate.CreateOrUpdate;
            })
            .AddAsyncDaemon(daemon ? DaemonMode.HotCold : DaemonMode.Disabled);
        // Marten logs every failed batch as an error, including the version conflicts that
        // commands expect and retry (a hot item under concurrent writers makes many). Failures
        // that matter reach the caller as exceptions and are logged where they are handled.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Marten.IDocumentStore", LogLevel.None));
        return services;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store:AppendMode {AppendMode} and Store:ExclusiveLockOnAppends {ExclusiveLock} are set for measurement: " +
        "the guarantees (no gap in the log, event times from the service's clock) are tested with QuickWithServerTimestamps and true only")]
    private static partial void LogMeasurementSettings(ILogger logger, EventAppendMode appendMode, bool exclusiveLock);
}
