using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ActionTracker.Api.Infrastructure;

public sealed class RateLimitOptions
{
    /// <summary>Requests a caller may make per second on average (configuration <c>RateLimits:PerSecond</c>).</summary>
    public int PerSecond { get; set; } = 100;

    /// <summary>How many requests a caller may make at once above the average.</summary>
    public int Burst { get; set; } = 200;

    /// <summary>Longest a request may take before it is cut off with 504 (streams and long polls excepted).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Per-caller rate limiting (a token bucket per token subject, per address for anonymous calls)
/// answered with 429, Retry-After and a problem body; and a time limit on every request.
/// </summary>
public static class Protection
{
    public static IServiceCollection AddProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RateLimitOptions();
        configuration.GetSection("RateLimits").Bind(options);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                // Health probes are never limited: a flood from the probes' address must not make
                // the orchestrator think the service is down.
                http.Request.Path.StartsWithSegments("/health") ? RateLimitPartition.GetNoLimiter("health") :
                RateLimitPartition.GetTokenBucketLimiter(
                    http.User.FindFirst("sub")?.Value ?? "ip:" + http.Connection.RemoteIpAddress,
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.Burst,
                        TokensPerPeriod = options.PerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = ProblemMapping.Problem(StatusCodes.Status429TooManyRequests, "Too many requests",
                        "This caller sent more requests than allowed; retry after the time in Retry-After."),
                });
            };
        });
        services.AddRequestTimeouts(timeouts => timeouts.DefaultPolicy = new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        return services;
    }

    public static WebApplication UseProtection(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        return app;
    }
}
