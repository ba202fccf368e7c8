using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActionTracker.Api.Tests;

/// <summary>A real HTTP endpoint on loopback that records what it receives; it can be told to fail.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;
    private int _refused;

    /// <summary>Calls answered 503 because of <see cref="FailNext"/>.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public ConcurrentQueue<(string Path, JsonElement Body, IHeaderDictionary Headers, string Raw)> Received { get; } = new();

    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            if (Interlocked.Exchange(ref receiver!._hold, null) is { } hold)
            {
                hold.Arrived.TrySetResult();
                await hold.Release.Task;
            }
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0)
            {
                Interlocked.Increment(ref receiver._refused);
                return Results.StatusCode(503);
            }
            var raw = await new StreamReader(http.Request.Body).ReadToEndAsync();
            // A copy: the request's own headers are recycled with the HttpContext.
            var headers = new HeaderDictionary(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase));
            receiver.Received.Enqueue((http.Request.Path, JsonSerializer.Deserialize<JsonElement>(raw), headers, raw));
            return Results.Ok();
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, url);
        return receiver;
    }

    private sealed record Hold(TaskCompletionSource Arrived, TaskCompletionSource Release);

    private Hold? _hold;

    /// <summary>
    /// Holds the next call until <c>release</c> is called; <c>arrived</c> completes when it is
    /// being held.
    /// </summary>
    public (Task Arrived, Action Release) HoldNext()
    {
        var hold = new Hold(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _hold = hold;
        return (hold.Arrived.Task, () => hold.Release.TrySetResult());
    }

    /// <summary>The next <paramref name="count"/> calls get a 503.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public List<JsonElement> Bodies(string path) => Received.Where(r => r.Path == path).Select(r => r.Body).ToList();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
