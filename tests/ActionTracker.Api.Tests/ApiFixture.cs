using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Operations;
using ActionTracker.Testing;
using Microsoft.AspNetCore.Hosting;
using Alba;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActionTracker.Api.Tests;

/// <summary>
/// The whole service in process (an Alba host) on its own fresh PostgreSQL database, with a
/// clock the tests move. Callers are built from development tokens, as clients do.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public const string SigningKey = "tests-only-signing-key-0123456789abcdef";

    public TestDatabase Database { get; } = new();

    public ManualClock Clock { get; } = new();

    /// <summary>The started host (tests of stopping it, services the tests drive).</summary>
    public IAlbaHost Host { get; private set; } = null!;

    public IServiceProvider Services => Host.Services;

    public virtual async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        // Starting the host applies the schema.
        Host = await StartHost(Database.ConnectionString, UsesManualClock ? Clock : null, ConfigureSettings);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Host is not null)
            await Host.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Starts an instance of the service with the settings every test host shares: this
    /// database, the test signing key, and the background loops off, since tests drive scheduled
    /// work, the outbox and webhooks step by step (a fixture or replica turns them on where it
    /// needs them). Marten's async daemon stays on: it keeps the high-water mark that the event
    /// feed reads, and the projections (<see cref="CatchUpProjections"/> waits for them). With a
    /// clock, the host runs on it instead of the real one.
    /// </summary>
    public static Task<IAlbaHost> StartHost(string connectionString, TimeProvider? clock, Action<IWebHostBuilder>? settings = null) =>
        AlbaHost.For<Program>(builder => Configure(builder, connectionString, clock, settings));

    /// <summary>The settings of <see cref="StartHost"/>, for hosts started otherwise (a real server for a browser).</summary>
    public static void Configure(IWebHostBuilder builder, string connectionString, TimeProvider? clock, Action<IWebHostBuilder>? settings = null)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:ActionTracker", connectionString);
        builder.UseSetting("Auth:SigningKey", SigningKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var loop in new[] { "Scheduler", "Digest", "Webhooks", "Idempotency" })
            builder.UseSetting($"{loop}:Enabled", "false");
        // Every agent on this node, at once: no leader election between test hosts.
        builder.UseSetting("Messaging:Mode", "Solo");
        // Wolverine schedules its retries on the machine's clock: due at the next played round.
        builder.UseSetting("Scheduler:FirstBackoff", "00:00:00");
        builder.UseSetting("Notifications:FirstBackoff", "00:00:00");
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "true");
        // Scenarios fire requests as fast as they can; the limiter has a fixture of its own.
        builder.UseSetting("RateLimits:PerSecond", "100000");
        builder.UseSetting("RateLimits:Burst", "100000");
        // One service subscribes in many scenarios of a class; the cap has a test of its own.
        builder.UseSetting("Webhooks:MaxPerCaller", "1000");
        builder.UseSetting("Shutdown:DrainDelay", "00:00:00");
        if (clock is not null)
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(clock);
            });
        settings?.Invoke(builder);
    }

    /// <summary>Another instance of the service on this fixture's database and clock, with settings of its own.</summary>
    public Task<IAlbaHost> StartAnother(Action<IWebHostBuilder> settings) =>
        StartHost(Database.ConnectionString, UsesManualClock ? Clock : null, builder =>
        {
            ConfigureSettings(builder);
            settings(builder);
        });

    public HttpClient CreateClient() => Host.Server.CreateClient();

    /// <summary>False runs the service on the real clock (end-to-end tests with compressed policies).</summary>
    protected virtual bool UsesManualClock => true;

    /// <summary>Settings a derived fixture adds or overrides.</summary>
    protected virtual void ConfigureSettings(IWebHostBuilder builder) { }

    public string Token(string sub, string[] teams, string[] roles, TimeSpan? lifetime = null, string? key = null) =>
        DevTokens.Create(
            new AuthOptions { SigningKey = key ?? SigningKey },
            sub, teams, roles, (UsesManualClock ? Clock : TimeProvider.System).GetUtcNow(), lifetime ?? TimeSpan.FromDays(365));

    public HttpClient As(string sub, string[] teams, params string[] roles) => As(Host, sub, teams, roles);

    /// <summary>A caller of the given host (another instance of the service).</summary>
    public HttpClient As(IAlbaHost host, string sub, string[] teams, params string[] roles)
    {
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(sub, teams, roles.Length == 0 ? ["member"] : roles));
        return client;
    }

    /// <summary>
    /// Waits until Marten's daemon has done the projection rebuilds asked for and brought every
    /// async projection up to the last event written so far. Transactions of other tests in the
    /// cluster can hold the high-water mark back for a moment, so this waits (bounded) rather
    /// than checks once.
    /// </summary>
    public async Task CatchUpProjections()
    {
        var timeout = TimeSpan.FromSeconds(30);
        using var cancel = new CancellationTokenSource(timeout);
        var rebuilds = Services.GetRequiredService<ProjectionRebuilds>();
        while (await rebuilds.AnyRequested(cancel.Token))
            await rebuilds.NextRound(cancel.Token);
        var store = Services.GetRequiredService<IDocumentStore>();
        // Marten's wait gives up with a TimeoutException when there is no event at all.
        if ((await store.Advanced.FetchEventStoreStatistics(token: cancel.Token)).EventCount == 0)
            return;
        await store.WaitForNonStaleProjectionDataAsync(timeout);
    }

    /// <summary>Events stored; Marten's tombstones (markers of a failed append) are not events of ours.</summary>
    public Task<long> EventCount() => Database.Scalar<long>("select count(*) from mt_events where type <> 'tombstone'");

    public Task<long> ItemCount() => Database.Scalar<long>("select count(*) from mt_doc_action_item");
}

/// <summary>The cast of the scenarios: who they are and what they may do.</summary>
public sealed class Cast(ApiFixture api)
{
    /// <summary>Owner of most items, member of platform.</summary>
    public HttpClient Alice { get; } = api.As("alice", ["platform"], "member");

    /// <summary>Another member of platform.</summary>
    public HttpClient Bob { get; } = api.As("bob", ["platform"], "member");

    /// <summary>Lead of platform.</summary>
    public HttpClient Lena { get; } = api.As("lena", ["platform"], "lead");

    /// <summary>Lead of payments only.</summary>
    public HttpClient Paul { get; } = api.As("paul", ["payments"], "lead");

    /// <summary>Member of payments only.</summary>
    public HttpClient Olga { get; } = api.As("olga", ["payments"], "member");

    public HttpClient Admin { get; } = api.As("root", [], "admin");

    /// <summary>A machine caller, e.g. postmortem tooling.</summary>
    public HttpClient Importer { get; } = api.As("pm-importer", [], "service");

    public HttpClient Anonymous { get; } = api.CreateClient();
}

public static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<JsonElement> Body(this HttpResponseMessage response) =>
        JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

    public static Task<HttpResponseMessage> Post(this HttpClient client, string url, object body, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string body, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, contentType));

    /// <summary>Creates an item through the API and returns its id.</summary>
    public static async Task<Guid> CreateItem(this HttpClient client, string team = "platform", string owner = "alice",
        string priority = "high", string? dueAt = null, string title = "Pin the deployment controller version")
    {
        var response = await client.Post("/api/action-items", new { title, team, owner, priority, dueAt });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Body()).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> Item(this HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/api/action-items/{id}");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Body();
    }

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    /// <summary>Asserts a problem+json answer with the given status and returns its body.</summary>
    public static async Task<JsonElement> AssertProblem(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Body();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.Str("type")));
        Assert.False(string.IsNullOrEmpty(body.Str("title")));
        Assert.False(string.IsNullOrEmpty(body.Str("detail")));
        return body;
    }
}
