using System.Collections.Concurrent;
using System.Diagnostics;
using ActionTracker.Api.Infrastructure;

namespace ActionTracker.Api.Tests;

public sealed class Tracing(ApiFixture api) : IClassFixture<ApiFixture>
{

    [Fact]
    public async Task a_status_change_is_one_trace_of_the_http_request_the_command_its_sql_and_the_webhook_delivery()
    {
        await using var receiver = await WebhookReceiver.Start();
        var team = "trace-" + Guid.NewGuid().ToString("N")[..6];
        var lead = api.As("lena", [team], "lead");
        var id = await lead.CreateItem(team: team);
        var subscribed = await api.As("hooks", [], "service").PostAsync("/api/subscriptions",
            System.Net.Http.Json.JsonContent.Create(new { url = receiver.Url + "/traced", teams = new[] { team } }));
        Assert.True(subscribed.IsSuccessStatusCode);
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
        // The server's request span ends just after the response went out: wait for it (bounded).
        using (var ended = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            while (!spans.Any(s => s.Source.Name == "Microsoft.AspNetCore"))
                await Task.Delay(10, ended.Token);

        var http = Assert.Single(spans, s => s.Source.Name == "Microsoft.AspNetCore");
        var command = Assert.Single(spans, s => s.Source.Name == Telemetry.SourceName);
        Assert.Equal("command ChangeStatus", command.DisplayName);
        Assert.Equal(http.SpanId, command.ParentSpanId);
        // Wolverine's span of the handler the command ran in.
        var handler = Assert.Single(spans, s => s.Source.Name == Telemetry.WolverineSource);
        Assert.Equal(command.SpanId, handler.ParentSpanId);
        // Then the SQL the handler sent, directly beneath it (a span left open by the store would
        // take it in, and be lost with it): the read of the item under its lock, and the append
        // with the read model's upsert in one batch.
        var sql = spans.Where(s => s.Source.Name == "Npgsql" && s.GetTagItem("db.query.text") is string).ToList();
        Assert.All(sql, s => Assert.Equal(handler.SpanId, s.ParentSpanId));
        Assert.Single(sql, s => ((string)s.GetTagItem("db.query.text")!).Contains("for update", StringComparison.Ordinal));
        Assert.Single(sql, s => ((string)s.GetTagItem("db.query.text")!).Contains("mt_quick_append_events", StringComparison.Ordinal));

        // The webhook delivery of that event, later and elsewhere, joins the same trace.
        var dispatcher = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<ActionTracker.Api.Events.WebhookDispatcher>(api.Services);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!receiver.Received.Any(r => r.Body.Str("type") == "actiontracker.item.status_changed.v1"))
        {
            await dispatcher.DeliverDue(timeout.Token);
            await Task.Delay(20, timeout.Token);
        }
        var delivery = Assert.Single(spans, s => s.DisplayName == "webhook send");
        Assert.Equal(http.SpanId, delivery.ParentSpanId);
        var received = receiver.Received.Single(r => r.Body.Str("type") == "actiontracker.item.status_changed.v1");
        Assert.Contains(traceId.ToString(), received.Headers["traceparent"].ToString());
        Assert.Contains(traceId.ToString(), received.Body.Str("traceparent"));

        // The trace context is stored with the event, for whoever handles it later.
        var history = await (await lead.GetAsync($"/api/action-items/{id}/history")).Body();
        Assert.Equal(2, history.GetProperty("events").GetArrayLength());
        Assert.Equal(1L, await api.Database.Scalar<long>(
            $"select count(*) from mt_events where stream_id = $1 and headers->>'{ActionTracker.Api.Events.EventLog.TraceParentHeader}' like $2", id, $"00-{traceId}-%"));
    }
}

public sealed class Measuring(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task commands_are_counted_by_outcome_and_webhook_deliveries_by_result()
    {
        var measured = new ConcurrentBag<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ServiceMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        await using var receiver = await WebhookReceiver.Start();
        var team = "metrics-" + Guid.NewGuid().ToString("N")[..6];
        var lead = api.As("lena", [team], "lead");
        Assert.True((await api.As("hooks", [], "service").PostAsync("/api/subscriptions",
            System.Net.Http.Json.JsonContent.Create(new { url = receiver.Url + "/counted", teams = new[] { team } }))).IsSuccessStatusCode);

        var id = await lead.CreateItem(team: team);
        await lead.Post($"/api/action-items/{id}/status", new { status = "done" });
        var refused = await lead.Post($"/api/action-items/{id}/status", new { status = "blocked", reason = "Too late." });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);
        var dispatcher = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<ActionTracker.Api.Events.WebhookDispatcher>(api.Services);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (receiver.Received.Count(r => r.Path == "/counted") < 2)
        {
            await dispatcher.DeliverDue(timeout.Token);
            await Task.Delay(20, timeout.Token);
        }

        long Count(string name, params (string Key, string Value)[] tags) => measured
            .Where(m => m.Name == name && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
            .Sum(m => m.Value);
        Assert.True(Count("actiontracker.commands", ("command", "CreateActionItem"), ("outcome", "ok")) >= 1);
        Assert.True(Count("actiontracker.commands", ("command", "ChangeStatus"), ("outcome", "ok")) >= 1);
        Assert.True(Count("actiontracker.commands", ("command", "ChangeStatus"), ("outcome", "rejected")) >= 1);
        Assert.True(Count("actiontracker.deliveries", ("channel", "webhook"), ("outcome", "ok")) >= 2);
    }
}
