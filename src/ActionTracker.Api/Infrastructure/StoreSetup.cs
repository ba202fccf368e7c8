using System.Text.Json;
using System.Text.Json.Serialization;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Infrastructure.Schema;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ActionTracker.Api.Infrastructure;

public static class StoreSetup
{
    public const string ConnectionName = "ActionTracker";

    /// <summary>JSON for the wire and for stored events: camelCase, snake_case enum names.</summary>
    public static void Configure(JsonSerializerOptions json)
    {
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        json.Converters.Add(new UtcInstantConverter());
    }

    /// <summary>The API's instants as API.md shows them: UTC with a Z.</summary>
    private sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>One line saying what to set when there is no connection string, else null.</summary>
    public static string? MissingConnection(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName))
            ? $"ConnectionStrings:{ConnectionName} is not set (environment variable ConnectionStrings__{ConnectionName}). ops/run starts a local PostgreSQL and sets it for you."
            : null;

    public static IServiceCollection AddActionTrackerStore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set. ops/run starts a local PostgreSQL and sets it for you.");
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.ApplicationName ??= "action-tracker";
        // Statements used more than once are prepared on each connection: PostgreSQL then skips
        // parsing and planning them (the write path's statements are the same every time).
        if (builder.MaxAutoPrepare == 0)
            builder.MaxAutoPrepare = 64;
        // No reset round of statements each time a connection goes back to the pool: the service
        // leaves no session state behind (the one session lock, a projection's leadership, is
        // released explicitly), and the reset cost PostgreSQL more than a tenth of a write.
        if (!connectionString.Contains("Reset", StringComparison.OrdinalIgnoreCase))
            builder.NoResetOnClose = true;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(builder.ConnectionString));
        services.AddSingleton<SchemaMigrator>();
        services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        services.AddHostedService<SchemaMigration>();
        services.AddHealthChecks().AddCheck<DatabaseReady>("database", tags: ["ready"]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Live: the process answers. Ready: the database answers and its schema is this build's.
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}

/// <summary>
/// Applies the schema before the service takes requests: Marten's tables first, then ours, some
/// of which index Marten's (replicas serialize on a lock).
/// </summary>
public sealed class SchemaMigration(Marten.IDocumentStore store, IEnumerable<Store.EventsTableIndex> indexes, SchemaMigrator migrator) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        foreach (var index in indexes)
            await index.Create(store, ct);
        await migrator.Migrate(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

public sealed class DatabaseReady(SchemaMigrator migrator, Readiness readiness) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (readiness.Draining)
            return HealthCheckResult.Unhealthy("Shutting down.");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            return await migrator.IsCurrent(timeout.Token)
                ? HealthCheckResult.Healthy("Database reachable, schema current.")
                : HealthCheckResult.Unhealthy("Database schema is not current.");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Database unreachable.");
        }
    }
}
