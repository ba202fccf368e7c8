using System.Net;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace ActionTracker.Api.Tests;

/// <summary>The service with a tight per-caller limit: two requests at once, one more per second.</summary>
public sealed class TightLimitsFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimits:PerSecond", "1");
        builder.UseSetting("RateLimits:Burst", "2");
    }
}

public sealed class LimitingCallers(TightLimitsFixture api) : IClassFixture<TightLimitsFixture>
{
    [Fact]
    public async Task a_caller_over_its_limit_gets_429_with_retry_after_and_others_are_not_held_back()
    {
        var greedy = api.As("greedy", ["platform"], "member");
        var other = api.As("patient", ["platform"], "member");

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
            responses.Add(await greedy.GetAsync("/api/action-items"));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.True(responses.Take(2).All(r => r.StatusCode == HttpStatusCode.OK), "the burst is served");
        var problem = await refused[0].AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.Contains("Retry-After", problem.Str("detail"));
        Assert.True(refused[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After says when to come back");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/action-items")).StatusCode);
    }
}

/// <summary>The service with a one second limit on every request.</summary>
public sealed class ShortTimeoutFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder) =>
        builder.UseSetting("RateLimits:RequestTimeout", "00:00:01");
}

public sealed class TimingOutRequests(ShortTimeoutFixture api) : IClassFixture<ShortTimeoutFixture>
{
    [Fact]
    public async Task a_write_stuck_behind_a_lock_is_cut_off_with_504_and_changes_nothing()
    {
        var alice = api.As("alice", ["platform"], "member");
        var id = await alice.CreateItem();
        // Another session holds the item's stream row, so the status change waits in PostgreSQL.
        await using var blocker = new NpgsqlConnection(api.Database.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select version from mt_streams where id = $1 for update", blocker, hold) { Parameters = { new() { Value = id } } })
            await lockRow.ExecuteNonQueryAsync();

        var response = await alice.Post($"/api/action-items/{id}/status", new { status = "done" });

        await response.AssertProblem(HttpStatusCode.GatewayTimeout);
        await hold.RollbackAsync();
        var item = await alice.Item(id);
        Assert.Equal("open", item.Str("status"));
        var retried = await alice.Post($"/api/action-items/{id}/status", new { status = "done" });
        Assert.Equal("\"2\"", retried.Headers.ETag?.ToString());
    }
}
