using System.Net;

namespace ActionTracker.Api.Tests;

/// <summary>A newcomer's first requests: the root, the interactive reference, the contract.</summary>
public sealed class ReadingTheReference(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task the_root_leads_to_sign_in_which_links_an_interactive_reference_of_the_served_contract()
    {
        var client = api.Host.Server.CreateClient();

        var root = await client.GetAsync("/");
        var reference = await client.GetAsync("/docs/");
        var contract = await (await client.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/signin", root.Headers.Location?.OriginalString);
        Assert.Contains("href=\"/docs/\"", await (await client.GetAsync("/signin")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Equal("text/html", reference.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ActionTracker API", await reference.Content.ReadAsStringAsync());
        Assert.Contains("/api/postmortems/preview", contract);
        Assert.Contains("/api/teams/{team}/notify-secret", contract);
    }
}
