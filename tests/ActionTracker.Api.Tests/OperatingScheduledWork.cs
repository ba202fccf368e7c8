using System.Diagnostics.Metrics;
using System.Net;
using ActionTracker.EventStore.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

public sealed class OperatingScheduledWork(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task a_message_that_keeps_failing_is_dead_lettered_shown_to_admins_counted_and_can_be_retried()
    {
        // A message no handler of this build understands: every attempt fails.
        var key = $"orphan:{Guid.NewGuid()}";
        await using (var insert = api.Database.DataSource.CreateCommand(
            "insert into scheduled_messages (key, type, payload, due_at, created_at) values ($1, 'retired_message', '{}', $2, $2)"))
        {
            insert.Parameters.Add(new() { Value = key });
            insert.Parameters.Add(new() { Value = api.Clock.GetUtcNow() });
            await insert.ExecuteNonQueryAsync();
        }
        var runner = api.Services.GetRequiredService<ScheduledWork>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await runner.RunDue();
            api.Clock.Advance(TimeSpan.FromHours(2));
        }

        var dead = await (await _cast.Admin.GetAsync("/api/admin/scheduled/dead")).Body();
        var message = dead.GetProperty("messages").EnumerateArray().Single(m => m.Str("key") == key);
        Assert.Equal(8, message.GetProperty("attempts").GetInt32());
        Assert.Contains("retired_message", message.Str("lastError"));
        await (await _cast.Lena.GetAsync("/api/admin/scheduled/dead")).AssertProblem(HttpStatusCode.Forbidden);

        await api.Services.GetRequiredService<MessagingMetrics>().Refresh(runner, CancellationToken.None);
        Assert.Equal(1L, ObserveGauge("actiontracker.scheduled.dead"));

        var id = message.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await _cast.Admin.PostAsync($"/api/admin/scheduled/{id}/retry", null)).StatusCode);
        await (await _cast.Admin.PostAsync($"/api/admin/scheduled/{id}/retry", null)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(0L, await api.Database.Scalar<long>("select count(*) from scheduled_messages where key = $1 and dead_at is not null", key));
    }

    /// <summary>Reads a gauge of this fixture's host (other hosts in the process have meters of the same name).</summary>
    private long ObserveGauge(string name)
    {
        var scope = api.Services.GetRequiredService<IMeterFactory>();
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MessagingMetrics.MeterName && instrument.Name == name && ReferenceEquals(instrument.Meter.Scope, scope))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"No gauge {name}.");
    }
}
