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
        void Pages(AsyncOptions async)
        {
            async.BatchSize = batchSize;
            // Room for the next page while one is applied.
            async.MaximumHopperSize = Math.Max(async.MaximumHopperSize, 2 * batchSize);
        }

        options.Projections.Add(new OverdueProjection(), ProjectionLifecycle.Async, Pages);
        options.Projections.Add(new MetricsProjection(), ProjectionLifecycle.Async, Pages);
        OverdueProjection.Map(options);
        MetricsProjection.Map(options);

        // A projection first started over existing events (a new one, or a new version) is
        // built stream by stream, much faster than in event order.
        options.Events.UseOptimizedProjectionRebuilds = true;
        // How soon another replica takes a projection over when the one running it dies, and
        // how soon a stopped projection (after a rebuild) is started again.
        options.Projections.LeadershipPollingTime =
            (int)configuration.GetValue("Projections:TakeOverInterval", TimeSpan.FromSeconds(2)).TotalMilliseconds;
        // Where operators' rebuild requests wait for the replica that runs the projection.
        options.Storage.ExtendedSchemaObjects.Add(Operations.ProjectionRebuilds.Table(options.DatabaseSchemaName));
    }
}
