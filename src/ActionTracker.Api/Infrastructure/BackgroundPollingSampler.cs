using OpenTelemetry.Trace;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Keeps traces of work (requests, commands, scheduled steps, deliveries) and drops the ones that
/// only polling makes: a Marten or Npgsql span with no parent is a background loop asking for new
/// events or due work (the daemon's high-water mark, the scheduler), several times a second. Used
/// under <see cref="ParentBasedSampler"/>, so it decides root spans only; the rest follow their parent.
/// </summary>
public sealed class BackgroundPollingSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        // The sampler sees a span's name, not its source: Marten's are "marten.*", Npgsql's "postgresql".
        parameters.Name.StartsWith("marten.", StringComparison.Ordinal) || parameters.Name == "postgresql"
            ? new SamplingResult(SamplingDecision.Drop)
            : new SamplingResult(SamplingDecision.RecordAndSample);
}
