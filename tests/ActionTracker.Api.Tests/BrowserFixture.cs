using System.Net.Http.Headers;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ActionTracker.Api.Tests;

/// <summary>
/// The service on a real loopback port (Kestrel) in Development, on its own database and a clock
/// the tests move, and a real headless Chromium to drive it: Debian's, since Playwright cannot
/// download browsers here (<c>CHROMIUM_PATH</c> names another).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;

    public TestDatabase Database { get; } = new();

    public ManualClock Clock { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public IServiceProvider Services => _factory!.Services;

    /// <summary>Where pages' screenshots are kept, as the run's artifacts.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            ApiFixture.Configure(builder, Database.ConnectionString, Clock, b => b.UseEnvironment("Development")));
        factory.UseKestrel(0); // a free loopback port
        factory.StartServer();
        _factory = factory;
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        Assert.True(File.Exists(ChromiumPath), $"No Chromium at {ChromiumPath}: apt-get install chromium (or set CHROMIUM_PATH).");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
        Directory.CreateDirectory(Screenshots);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A program calling the JSON API with a bearer token (to set up what the pages show).</summary>
    public HttpClient As(string sub, string[] teams, params string[] roles)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevTokens.Create(
            new AuthOptions { SigningKey = ApiFixture.SigningKey }, sub, teams, roles.Length == 0 ? ["member"] : roles, Clock.GetUtcNow(), TimeSpan.FromDays(365)));
        return client;
    }
}
