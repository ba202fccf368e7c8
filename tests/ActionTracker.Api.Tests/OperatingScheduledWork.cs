using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using ActionTracker.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ActionTracker.Api.Tests;

/// <summary>Team notifications that give up quickly: three attempts, retried at once.</summary>
public sealed class QuickToGiveUpFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("Notifications:MaxAttempts", "3");
        builder.UseSetting("Notifications:FirstBackoff", "00:00:00");
    }
}

public sealed class OperatingScheduledWork(QuickToGiveUpFixture api) : IClassFixture<QuickToGiveUpFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task a_notification_that_keeps_failing_is_dead_lettered_shown_to_admins_counted_and_can_be_retried()
    {
        // A team whose notify URL refuses every connection.
        var team = "dead-" + Guid.NewGuid().ToString("N")[..8];
        var lead = api.As("lena", [team], "lead");
        Assert.True((await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lena" }, notifyUrl = "http://127.0.0.1:1/hook" })).IsSuccessStatusCode);
        await lead.CreateItem(team: team, owner: "alice", priority: "critical");

        api.Clock.Advance(TimeSpan.FromDays(5.5)); // the reminder is due
        for (var attempt = 0; attempt < 5; attempt++)
            await api.Services.RunDue();

        var dead = await (await _cast.Admin.GetAsync("/api/admin/scheduled/dead")).Body();
        var message = Assert.Single(dead.GetProperty("messages").EnumerateArray());
        Assert.Equal("team-notification", message.Str("type"));
        Assert.Equal(3, message.GetProperty("attempts").GetInt32());
        Assert.Contains("refused", message.Str("lastError"), StringComparison.OrdinalIgnoreCase);
        await (await _cast.Lena.GetAsync("/api/admin/scheduled/dead")).AssertProblem(HttpStatusCode.Forbidden);

        await api.Services.GetRequiredService<ActionTracker.Api.Operations.ServiceGauges>().Refresh(
            api.Services.GetRequiredService<NpgsqlDataSource>(), api.Services.GetRequiredService<IDocumentStore>(), CancellationToken.None);
        Assert.Equal(1L, ObserveGauge("actiontracker.messages.dead"));

        var id = message.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await _cast.Admin.PostAsync($"/api/admin/scheduled/{id}/retry", null)).StatusCode);
        await (await _cast.Admin.PostAsync($"/api/admin/scheduled/{id}/retry", null)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await (await _cast.Admin.GetAsync("/api/admin/scheduled/dead")).Body()).GetProperty("messages").EnumerateArray());
        // Marked for replay, or already replayed by Wolverine's agent, which polls for such letters
        // in the background (one run found the row gone): either way not left dead.
        Assert.True(await api.Database.Scalar<bool>("select coalesce((select replayable from wolverine.wolverine_dead_letters where id = $1), true)", id));
    }

    /// <summary>Reads a gauge of this fixture's host (other hosts in the process have meters of the same name).</summary>
    private long ObserveGauge(string name)
    {
        var scope = api.Services.GetRequiredService<IMeterFactory>();
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServiceMetrics.MeterName && instrument.Name == name && ReferenceEquals(instrument.Meter.Scope, scope))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"No gauge {name}.");
    }
}
