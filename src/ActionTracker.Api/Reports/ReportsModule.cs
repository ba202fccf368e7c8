using ActionTracker.Api.Infrastructure;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Projections;

namespace ActionTracker.Api.Reports;

public static class ReportsModule
{
    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new ProjectionOptions();
        configuration.GetSection("Projections").Bind(options);
        services.AddProjectionDaemon(options);
        services.AddAsyncProjection<OverdueProjection>();
        services.AddAsyncProjection<MetricsProjection>();
        return services;
    }

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized);
        reports.MapOverdueReport().MapMetricsReport();
        return app;
    }
}
