using System.Net;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace ActionTracker.Api.Tests;

/// <summary>The service with a drain delay long enough to watch it (real time: the delay is the behaviour).</summary>
public sealed class DrainingFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder) =>
        builder.UseSetting("Shutdown:DrainDelay", "00:00:02");
}

public sealed class StoppingGracefully(DrainingFixture api) : IClassFixture<DrainingFixture>
{
    [Fact]
    public async Task on_stop_readiness_fails_first_while_a_write_in_flight_still_completes_and_is_kept()
    {
        var alice = api.As("alice", ["platform"], "member");
        var id = await alice.CreateItem();
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/health/ready")).StatusCode);
        // A write in flight: it waits on the item's stream row, locked here.
        await using var blocker = new NpgsqlConnection(api.Database.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select version from mt_streams where id = $1 for update", blocker, hold) { Parameters = { new() { Value = id } } })
            await lockRow.ExecuteNonQueryAsync();
        var inFlight = alice.Post($"/api/action-items/{id}/status", new { status = "in_progress" });

        var stopping = api.Host!.StopAsync();
        var ready = await alice.GetAsync("/health/ready");
        await hold.RollbackAsync();
        var write = await inFlight;
        await stopping;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.Equal(2L, await api.Database.Scalar<long>("select version from mt_streams where id = $1", id));
    }
}
