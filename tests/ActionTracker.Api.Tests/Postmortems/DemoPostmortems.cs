using ActionTracker.Api.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActionTracker.Api.Tests.Postmortems;

public sealed class DemoFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder) => builder.UseSetting("Demo:Seed", "true");
}

/// <summary>The demo seed (ops/run) imports its postmortems through the importer, once.</summary>
public sealed class DemoPostmortems(DemoFixture api) : IClassFixture<DemoFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task the_demo_postmortems_are_imported_with_some_progress()
    {
        var page = await (await _cast.Alice.GetAsync("/api/postmortems")).Body();

        Assert.Equal(
        [
            ("pm-resolver-upgrade", "platform", "1 of 4 done"),
            ("pm-settlement-export", "payments", "2 of 3 done"),
            ("pm-sso-certificate", "identity", "0 of 3 done"),
        ],
        page.GetProperty("postmortems").EnumerateArray()
            .Select(p => (p.Str("ref"), p.Str("team"), p.GetProperty("progress").Str("text")))
            .Where(p => p.Item1 is "pm-resolver-upgrade" or "pm-settlement-export" or "pm-sso-certificate")
            .OrderBy(p => p.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public async Task every_demo_item_from_a_postmortem_links_to_one_that_exists()
    {
        var items = (await (await _cast.Admin.GetAsync("/api/action-items?limit=200")).Body()).GetProperty("items").EnumerateArray()
            .Where(i => i.TryGetProperty("source", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.Object && s.Str("kind") == "postmortem")
            .ToList();

        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            var reference = item.GetProperty("source").Str("ref");
            var postmortem = await _cast.Admin.GetAsync($"/api/postmortems/{reference}");
            Assert.True(postmortem.StatusCode == System.Net.HttpStatusCode.OK, $"{reference}: {postmortem.StatusCode}");
            Assert.Contains((await postmortem.Body()).GetProperty("items").EnumerateArray(), i => i.Str("id") == item.Str("id"));
        }
    }

    [Fact]
    public async Task starting_again_imports_nothing_twice()
    {
        var events = await api.EventCount();
        var seed = api.Services.GetServices<IHostedService>().OfType<DemoData>().Single();

        await seed.StartAsync(CancellationToken.None);

        Assert.Equal(events, await api.EventCount());
    }
}
