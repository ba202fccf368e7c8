using System.Diagnostics;
using ActionTracker.Api.Infrastructure.Store;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Traces, metrics and logs through OpenTelemetry's hosting integration, exported over OTLP when
/// the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other
/// <c>OTEL_*</c> variables itself). Without an endpoint nothing is collected: no cost per request.
/// </summary>
public static class Telemetry
{
    public const string SourceName = "ActionTracker.Api";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Every activity source the service's traces are made of: its own, ASP.NET Core, Npgsql, outgoing HTTP.</summary>
    public static readonly string[] Sources = [SourceName, MartenSource, WolverineSource, "Microsoft.AspNetCore", "Npgsql", "System.Net.Http"];

    /// <summary>Wolverine's spans: a message handled, sent or scheduled.</summary>
    public const string WolverineSource = "Wolverine";

    /// <summary>Wolverine's meter is named after the service ("Wolverine:action-tracker").</summary>
    private const string WolverineMeters = "Wolverine*";

    /// <summary>Marten's spans: a connection's use, e.g. the append of a command.</summary>
    public const string MartenSource = "Marten";

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ServiceMetrics>();
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            return builder;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "action-tracker"))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new BackgroundPollingSampler()))
                .AddSource(SourceName, MartenSource, WolverineSource)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(ServiceMetrics.MeterName, WolverineMeters, MartenSource, "Microsoft.AspNetCore.Server.Kestrel", "Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithLogging()
            .UseOtlpExporter();
        builder.Services.Configure<OpenTelemetryLoggerOptions>(logs => logs.IncludeScopes = true);
        return builder;
    }
}
