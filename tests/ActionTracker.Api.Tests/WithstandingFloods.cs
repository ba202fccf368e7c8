using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using ActionTracker.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActionTracker.Api.Tests;

/// <summary>Production, tight limits per caller, and every log line the service writes kept for counting.</summary>
public sealed class FloodFixture : ApiFixture
{
    public ConcurrentQueue<string> Lines { get; } = new();

    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("RateLimits:PerSecond", "5");
        builder.UseSetting("RateLimits:Burst", "5");
        builder.UseSetting("Logging:LogLevel:Default", "Information");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(new Collector(Lines)));
    }

    private sealed class Collector(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
        public void Dispose() { }
    }
}

public sealed class WithstandingFloods(FloodFixture api) : IClassFixture<FloodFixture>
{
    [Fact]
    public async Task a_flood_of_bad_tokens_is_counted_logged_in_a_line_or_two_and_health_still_answers_and_a_401_says_bearer()
    {
        var forged = api.As("mallory", ["platform"], "member");
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            api.Token("mallory", ["platform"], ["admin"], key: "not-the-service-key-0123456789abcdefghijklmnop"));
        var failures = 0L;
        using var listener = new MeterListener();
        var scope = api.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServiceMetrics.MeterName && instrument.Name == "actiontracker.auth.failures" && ReferenceEquals(instrument.Meter.Scope, scope))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();
        var linesBefore = api.Lines.Count;
        var anonymous = await api.CreateClient().GetAsync("/api/action-items");
        await anonymous.AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme); // a 401 says how to authenticate

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
            statuses.Add((await forged.GetAsync("/api/action-items")).StatusCode);
        var live = await api.CreateClient().GetAsync("/health/live");
        var ready = await api.CreateClient().GetAsync("/health/ready");

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"{s}"));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses); // the flood's address is limited...
        Assert.Equal(HttpStatusCode.OK, live.StatusCode); // ...but its health probes are not
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Authentication comes before the limiter: every bad token is counted, served or not.
        Assert.Equal(statuses.Count, Interlocked.Read(ref failures));
        // Not a line per request: the auth summary once, and whatever background work logged meanwhile.
        var logged = api.Lines.Skip(linesBefore).ToList();
        Assert.InRange(logged.Count, 1, 20);
        Assert.Single(logged, l => l.Contains("failed authentication", StringComparison.Ordinal));
    }
}
