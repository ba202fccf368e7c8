using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Schema;
using Marten;

namespace ActionTracker.Api.Reports;

public static class ReportsModule
{
    /// <summary>
    /// The reports' projections, Marten's async ones (<see cref="ReportProjections.AddReportProjections"/>),
    /// and the counts kept beside the overdue documents.
    /// </summary>
    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations<OverdueCounts>();
        services.ConfigureMarten(options => options.AddReportProjections(configuration));
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
