using System.Net;
using System.Text.RegularExpressions;
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

public static partial class Pages
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    /// <summary>The page's buttons, in order: what the caller is offered.</summary>
    public static List<string> Buttons(string html) =>
        Regex.Matches(html, "<button type=\"submit\">([^<]+)</button>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    /// <summary>Posts a form of the page, with the page's antiforgery token, as a browser does.</summary>
    public static async Task<HttpResponseMessage> PostForm(this HttpClient client, string url, string page, params (string Name, string Value)[] fields) =>
        await client.PostAsync(url, new FormUrlEncodedContent(
            fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))
                .Append(new("__RequestVerificationToken", WebUtility.HtmlDecode(FormToken().Match(page).Groups[1].Value)))));

    /// <summary>A page's HTML, asserting it answered 200 with HTML.</summary>
    public static async Task<string> Page(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }
}
