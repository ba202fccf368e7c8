using System.Diagnostics;
using ActionTracker.Api.Infrastructure;
using OpenTelemetry.Trace;

namespace ActionTracker.Api.Tests;

public sealed class SamplingTraces
{
    private static readonly Sampler Sampler = new ParentBasedSampler(new BackgroundPollingSampler());

    private static SamplingDecision Decide(string name, ActivityContext parent = default) =>
        Sampler.ShouldSample(new SamplingParameters(parent, ActivityTraceId.CreateRandom(), name, ActivityKind.Internal)).Decision;

    [Fact]
    public void background_polls_of_the_database_make_no_trace_of_their_own()
    {
        Assert.Equal(SamplingDecision.Drop, Decide("marten.daemon.highwatermark"));
        Assert.Equal(SamplingDecision.Drop, Decide("marten.connection"));
        Assert.Equal(SamplingDecision.Drop, Decide("postgresql"));
    }

    [Fact]
    public void work_is_traced_and_the_database_calls_it_makes_belong_to_its_trace()
    {
        Assert.Equal(SamplingDecision.RecordAndSample, Decide("Microsoft.AspNetCore.Hosting.HttpRequestIn"));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide("scheduled check_item_deadlines"));
        var request = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Assert.Equal(SamplingDecision.RecordAndSample, Decide("marten.connection", request));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide("postgresql", request));
    }
}
