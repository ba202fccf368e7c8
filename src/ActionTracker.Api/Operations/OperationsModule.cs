namespace ActionTracker.Api.Operations;

public static class OperationsModule
{
    /// <summary>What operators use: the gauges, and the projection rebuilds they ask for.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<ServiceGauges>();
        services.AddHostedService<ServiceGaugesLoop>();
        services.AddSingleton<ProjectionRebuilds>();
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionRebuilds>());
        return services;
    }
}
