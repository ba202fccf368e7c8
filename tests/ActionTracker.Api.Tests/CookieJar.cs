using System.Net;

namespace ActionTracker.Api.Tests;

/// <summary>Keeps the cookies responses set and sends them back, without following redirects.</summary>
public sealed class CookieJar(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly CookieContainer _cookies = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (_cookies.GetCookieHeader(request.RequestUri!) is { Length: > 0 } header)
            request.Headers.Add("Cookie", header);
        var response = await base.SendAsync(request, ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
            foreach (var cookie in set)
                _cookies.SetCookies(request.RequestUri!, cookie);
        return response;
    }
}
