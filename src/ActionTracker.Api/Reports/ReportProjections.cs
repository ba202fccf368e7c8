using JasperFx.Events.Projections;
using Marten;

namespace ActionTracker.Api.Reports;

/// <summary>
/// The reports' read models as Marten async projections: the daemon runs them on one replica at
/// a time (HotCold), off the write path, and rebuilds them from the events on request.
/// </summary>
public static class ReportProjections
{
    /// <summary>Events per page the daemon loads and applies in one transaction, unless configured.</summary>
    public const int DefaultBatchSize = 5000;

    public static void AddReportProjections(this StoreOptions options, IConfiguration configuration)
    {
        var batchSize = configuration.GetValue("Projections:BatchSize", DefaultBatchSize);
        // Marten's rebuild settings, Marten's defaults unless configured (their measured effect:
        // docs/benchmarks.md, "Projections: Marten's rebuild settings"): documents kept in memory
        // between pages, and during a rebuild the documents' writes held back until this many
        // are pending (faster, for several times the memory).
        var cacheLimit = configuration.GetValue("Projections:CacheLimit", 0);
        var rebuildFlushThreshold = configuration.GetValue("Projections:RebuildFlushThreshold", 0);
        void Pages(AsyncOptions async)
        {
            async.BatchSize = batchSize;
            // Room for the next page while one is applied.
            async.MaximumHopperSize = Math.Max(async.MaximumHopperSize, 2 * batchSize);
            async.CacheLimitPerTenant = cacheLimit;
            async.RebuildFlushThreshold = rebuildFlushThreshold;
        }

        options.Projections.Add(new OverdueProjection(), ProjectionLifecycle.Async, Pages);
        options.Projections.Add(new MetricsProjection(), ProjectionLifecycle.Async, Pages);
        OverdueProjection.Map(options);
        MetricsProjection.Map(options);

        // Marten's option for rebuilding stream by stream. In Marten 9.59 it only changes how the
        // progress rows are read: a single-stream projection has no stream-by-stream replay, and
        // rebuilds in event order either way (measured: no effect on the rate).
        options.Events.UseOptimizedProjectionRebuilds = configuration.GetValue("Projections:OptimizedRebuilds", true);
        // Rebuild writes of pure inserts through COPY (Marten's option; off by default).
        options.Projections.RebuildWithBulkCopy = configuration.GetValue("Projections:RebuildWithBulkCopy", false);
        // How soon another replica takes a projection over when the one running it dies, and
        // how soon a stopped projection (after a rebuild) is started again.
        options.Projections.LeadershipPollingTime =
            (int)configuration.GetValue("Projections:TakeOverInterval", TimeSpan.FromSeconds(2)).TotalMilliseconds;
        // Where operators' rebuild requests wait for the replica that runs the projection.
        options.Storage.ExtendedSchemaObjects.Add(Operations.ProjectionRebuilds.Table(options.DatabaseSchemaName));
    }
}
