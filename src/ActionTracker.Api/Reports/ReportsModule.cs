using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Schema;
using ActionTracker.Api.Operations;

namespace ActionTracker.Api.Reports;

public static class ReportsModule
{
    /// <summary>
    /// The reports' projections are Marten's (<see cref="ReportProjections.AddReportProjections"/>,
    /// from the store's configuration); here, the rebuilds of them that operators ask for.
    /// </summary>
    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations<OverdueCounts>();
        services.AddSingleton<ProjectionRebuilds>();
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionRebuilds>());
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
