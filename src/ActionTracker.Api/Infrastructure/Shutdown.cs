namespace ActionTracker.Api.Infrastructure;

public sealed class ShutdownOptions
{
    /// <summary>
    /// How long the service keeps serving after SIGTERM with readiness already failing, so that
    /// load balancers stop sending it new requests before it stops accepting them.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long in-flight requests and background steps get to finish after the drain.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Whether the service is on its way down; readiness fails from the first moment.</summary>
public sealed class Readiness
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public void Drain() => _draining = true;
}

/// <summary>
/// The first step of a graceful stop: readiness turns false, then the drain delay passes while
/// requests are still served. Only then does the host stop the server (which lets in-flight
/// requests finish) and the background loops (which finish the step they are in: each step's
/// claims are transactions or leases, so even a step cut short loses nothing).
/// </summary>
public sealed partial class DrainOnShutdown(Readiness readiness, ShutdownOptions options, ILogger<DrainOnShutdown> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken ct)
    {
        readiness.Drain();
        LogDraining(options.DrainDelay);
        if (options.DrainDelay <= TimeSpan.Zero)
            return;
        try
        {
            await Task.Delay(options.DrainDelay, ct);
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout ran out first.
        }
    }

    public Task StartingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: readiness is now failing; serving for {Delay} more before the server stops")]
    private partial void LogDraining(TimeSpan delay);
}

public static class ShutdownSetup
{
    public static IServiceCollection AddGracefulShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new ShutdownOptions();
        configuration.GetSection("Shutdown").Bind(options);
        services.AddSingleton(options);
        services.AddSingleton<Readiness>();
        services.AddHostedService<DrainOnShutdown>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainDelay + options.Timeout);
        return services;
    }
}
