namespace ActionTracker.EventStore.Schema;

/// <summary>
/// One forward-only schema step. <paramref name="Module"/> names who owns it (the event store, or
/// the application's read models), <paramref name="Version"/> orders the steps of a module.
/// Applied steps are never edited: add a new one.
/// </summary>
public sealed record Migration(string Module, int Version, string Name, string Sql);

/// <summary>Contributes migrations; the application registers its own besides the store's.</summary>
public interface IMigrationSource
{
    IEnumerable<Migration> Migrations { get; }
}
