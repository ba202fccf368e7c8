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
            .OrderBy(p => p.Item1, StringComparer.Ordinal));
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
