using System.Diagnostics;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Messaging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Traces, metrics and logs over OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// OpenTelemetry.Extensions.Hosting does not restore here, so the providers are built by hand
/// and registered as singletons: the host disposes them on shutdown, which flushes what is left.
/// </summary>
public static class Telemetry
{
    public const string SourceName = "ActionTracker.Api";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Every activity source the service's traces are made of: its own, ASP.NET Core, Npgsql, outgoing HTTP.</summary>
    public static readonly string[] Sources = [SourceName, StoreTelemetry.SourceName, "Microsoft.AspNetCore", "Npgsql", "System.Net.Http"];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddHostedService<ServiceMetricsLoop>();
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            return builder;
        var resource = ResourceBuilder.CreateDefault().AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "action-tracker");
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(Sources)
            .AddOtlpExporter()
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(MessagingMetrics.MeterName, ServiceMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Npgsql", "System.Net.Http")
            .AddOtlpExporter()
            .Build();
        builder.Services.AddSingleton(tracing);
        builder.Services.AddSingleton(metrics);
        builder.Logging.AddOpenTelemetry(logs =>
        {
            logs.SetResourceBuilder(resource);
            logs.IncludeScopes = true;
            logs.AddOtlpExporter();
        });
        return builder;
    }
}
