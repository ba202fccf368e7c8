using Marten;
using Npgsql;

namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>
/// An index of ours on Marten's events table (lookups of an item's own history that Marten does
/// not index for). Marten drops indexes it does not know when it applies its schema, so it is told
/// to leave this one alone, and the index is made right after Marten has applied its schema, at
/// every start (see SchemaMigration).
/// </summary>
public sealed class EventsTableIndex(NpgsqlDataSource db, string name, Func<IDocumentStore, string> definition)
{
    public async Task Create(IDocumentStore store, CancellationToken ct)
    {
        await using var create = db.CreateCommand(
            $"create index if not exists {name} on {store.Options.Events.DatabaseSchemaName}.mt_events {definition(store)}");
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A condition on the stored event type that names the types as literals: PostgreSQL uses a
    /// partial index only when it can see that the query implies the index's condition, which a
    /// parameter would hide from a prepared statement's generic plan.
    /// </summary>
    public static string TypeIn(IDocumentStore store, params Type[] types)
    {
        var known = store.Options.Events.AllKnownEventTypes();
        var names = types.Select(t => known.FirstOrDefault(k => k.EventType == t)?.EventTypeName
            ?? throw new InvalidOperationException($"Event type {t.Name} is not registered with Marten."));
        return $"type in ({string.Join(", ", names.Select(n => $"'{n.Replace("'", "''", StringComparison.Ordinal)}'"))})";
    }

    public override string ToString() => $"index {name} on mt_events";
}

public static class EventsTableIndexes
{
    /// <summary>Adds an index on <c>mt_events</c>: <paramref name="definition"/> is what follows the table name (columns, condition).</summary>
    public static IServiceCollection AddEventsTableIndex(this IServiceCollection services, string name, Func<IDocumentStore, string> definition)
    {
        services.AddSingleton(sp => new EventsTableIndex(sp.GetRequiredService<NpgsqlDataSource>(), name, definition));
        services.ConfigureMarten(options => options.Events.IgnoreIndex(name));
        return services;
    }
}
