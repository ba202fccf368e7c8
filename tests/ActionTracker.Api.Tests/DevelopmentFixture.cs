using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace ActionTracker.Api.Tests;

/// <summary>The service as a developer runs it: the Development sign-in exists.</summary>
public sealed class DevelopmentFixture : ApiFixture
{
    protected override void ConfigureSettings(IWebHostBuilder builder) => builder.UseEnvironment("Development");

    /// <summary>Signs in through /signin/dev and returns a client that keeps cookies, as a browser does.</summary>
    public async Task<HttpClient> SignIn(string sub, string team, string role)
    {
        var client = new HttpClient(new CookieJar(Host.Server.CreateHandler())) { BaseAddress = Host.Server.BaseAddress };
        var signIn = await client.GetAsync($"/signin/dev?sub={sub}&team={team}&role={role}");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return client;
    }
}

public static class Pages
{
    /// <summary>A page's HTML, asserting it answered 200 with HTML.</summary>
    public static async Task<string> Page(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }
}
