using System.Collections.Concurrent;
using System.Diagnostics;
using ActionTracker.Api.Infrastructure;

namespace ActionTracker.Api.Tests;

public sealed class Tracing(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task a_status_change_is_one_trace_of_the_http_request_the_command_the_append_and_its_sql()
    {
        var lead = api.As("lena", ["platform"], "lead");
        var id = await lead.CreateItem();
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => Telemetry.Sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                    spans.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);

        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/action-items/{id}/status")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { status = "in_progress" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        Assert.True((await lead.SendAsync(request)).IsSuccessStatusCode);

        var http = Assert.Single(spans, s => s.Source.Name == "Microsoft.AspNetCore");
        var command = Assert.Single(spans, s => s.Source.Name == Telemetry.SourceName);
        Assert.Equal("command ChangeStatus", command.DisplayName);
        Assert.Equal(http.SpanId, command.ParentSpanId);
        var append = Assert.Single(spans, s => s.DisplayName == "append");
        Assert.Equal(command.SpanId, append.ParentSpanId);
        var sql = spans.Where(s => s.Source.Name == "Npgsql").ToList();
        Assert.NotEmpty(sql);
        Assert.All(sql, s => Assert.Contains(s.ParentSpanId, new[] { command.SpanId, append.SpanId }));

        // The trace context is stored with the event, for whoever handles it later.
        var history = await (await lead.GetAsync($"/api/action-items/{id}/history")).Body();
        Assert.Equal(2, history.GetProperty("events").GetArrayLength());
        Assert.Equal(1L, await api.Database.Scalar<long>(
            "select count(*) from events where stream_id = $1 and metadata->>'traceParent' like $2", id, $"00-{traceId}-%"));
    }
}
