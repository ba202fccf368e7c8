using System.Diagnostics;

namespace ActionTracker.EventStore;

/// <summary>The event store's spans: appends, scheduled steps, outbox sends, projection pages.</summary>
public static class StoreTelemetry
{
    public const string SourceName = "ActionTracker.EventStore";

    public static readonly ActivitySource Source = new(SourceName);
}
