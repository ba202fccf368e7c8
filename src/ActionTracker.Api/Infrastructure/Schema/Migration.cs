using ActionTracker.Api.Infrastructure.Schema;
namespace ActionTracker.Api.Infrastructure.Schema;

/// <summary>
/// One forward-only step of the service's own tables (Marten and Wolverine keep theirs).
/// <paramref name="Module"/> names the feature that owns it, <paramref name="Version"/> orders
/// the steps of a module. Applied steps are never edited: add a new one.
/// </summary>
public sealed record Migration(string Module, int Version, string Name, string Sql);

/// <summary>Contributes migrations; each feature registers its own with <see cref="SchemaMigrations.AddMigrations{TSource}"/>.</summary>
public interface IMigrationSource
{
    IEnumerable<Migration> Migrations { get; }
}

public static class SchemaMigrations
{
    public static IServiceCollection AddMigrations<TSource>(this IServiceCollection services)
        where TSource : class, IMigrationSource =>
        services.AddSingleton<IMigrationSource, TSource>();
}
