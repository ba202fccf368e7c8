using System.Diagnostics.Metrics;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// What the service counts as it works, besides the framework's own metrics: commands by
/// outcome, deliveries to subscribers by outcome, refused tokens. The gauges of what the
/// database holds are the operations feature's (ServiceGauges).
/// </summary>
public sealed class ServiceMetrics
{
    public const string MeterName = "ActionTracker";

    private readonly Counter<long> _commands;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _authFailures;

    public ServiceMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _commands = meter.CreateCounter<long>("actiontracker.commands", "{command}",
            "Commands handled, by command and outcome (ok, rejected, replayed).");
        _deliveries = meter.CreateCounter<long>("actiontracker.deliveries", "{event}",
            "Events delivered to subscribers, by channel (webhook, broker) and outcome (ok, failed).");
        _authFailures = meter.CreateCounter<long>("actiontracker.auth.failures", "{request}",
            "Requests whose bearer token was refused, by reason (signature, expired, issuer, audience, malformed, ...).");
    }

    public void Command(string command, string outcome) =>
        _commands.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("outcome", outcome));

    public void AuthenticationFailed(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Delivered(string channel, bool ok, int events) =>
        _deliveries.Add(events, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", ok ? "ok" : "failed"));
}
