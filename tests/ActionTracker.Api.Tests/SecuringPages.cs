using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace ActionTracker.Api.Tests;

/// <summary>Every page says what a browser may do with it, and an address never speaks in the site's voice (issues 32.3, 30.9).</summary>
public sealed class SecuringPages(DevelopmentFixture api) : IClassFixture<DevelopmentFixture>
{
    private static string NewTeam() => "safe-" + Guid.NewGuid().ToString("N")[..8];

    private static void AssertPageHeaders(HttpResponseMessage response, string url)
    {
        string One(string name)
        {
            Assert.True(response.Headers.TryGetValues(name, out var values), $"{url}: no {name}");
            return Assert.Single(values);
        }
        var policy = One("Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("form-action 'self'", policy);
        Assert.Contains("default-src 'none'", policy);
        Assert.Equal("DENY", One("X-Frame-Options"));
        Assert.Equal("nosniff", One("X-Content-Type-Options"));
        Assert.Equal("same-origin", One("Referrer-Policy"));
    }

    [Fact]
    public async Task every_page_response_refuses_framing_sniffing_other_sites_forms_and_scripts()
    {
        var team = NewTeam();
        var item = await api.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann");
        var browser = await api.SignIn("ann", team, "member");
        var page = await browser.Page($"/items/{item}");

        var responses = new Dictionary<string, HttpResponseMessage>
        {
            ["/signin (signed out)"] = await api.CreateClient().GetAsync("/signin"),
            ["/me (signed out, a redirect)"] = await api.CreateClient().GetAsync("/me"),
            [$"/items/{item}"] = await browser.GetAsync($"/items/{item}"),
            [$"/teams/{team}"] = await browser.GetAsync($"/teams/{team}"),
            ["/postmortems/import"] = await browser.GetAsync("/postmortems/import"),
            ["/no/such/page (404)"] = await browser.GetAsync("/no/such/page"),
            ["a form's post (a redirect)"] = await browser.PostForm($"/items/{item}/comments", page, ("text", "Looked at it."), ("version", "1")),
        };

        foreach (var (url, response) in responses)
            AssertPageHeaders(response, url);
        var json = await api.As("ann", [team], "member").GetAsync("/api/action-items");
        Assert.Equal("nosniff", Assert.Single(json.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("error=Your%20session%20expired,%20sign%20in%20at%20evil.example")]
    [InlineData("done=Your%20session%20expired,%20sign%20in%20at%20evil.example")]
    [InlineData("done=%3Cb%3Eevil.example%3C/b%3E&error=evil.example")]
    public async Task an_address_cannot_put_its_own_words_on_an_item_page(string query)
    {
        var team = NewTeam();
        var item = await api.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann");
        var browser = await api.SignIn("ann", team, "member");

        var page = await browser.Page($"/items/{item}?{query}");

        Assert.DoesNotContain("evil.example", page);
        Assert.DoesNotContain("role=\"alert\"", page);
        Assert.DoesNotContain("role=\"status\"", page);
    }

    [Fact]
    public async Task the_notices_the_forms_lead_to_are_worded_by_the_site()
    {
        var team = NewTeam();
        var item = await api.As("lead-" + team, [team], "lead").CreateItem(team: team, owner: "ann");
        var browser = await api.SignIn("ann", team, "member");
        var page = await browser.Page($"/items/{item}");

        var blocked = await browser.PostForm($"/items/{item}/status", page, ("status", "blocked"), ("version", "1"));
        var commented = await browser.PostForm($"/items/{item}/comments", page, ("text", "Waiting on the vendor."), ("version", "1"));

        Assert.Equal(HttpStatusCode.BadRequest, blocked.StatusCode);
        Assert.Matches("<p class=\"problem\" role=\"alert\">Not done: [^<]*reason[^<]*Nothing was changed.</p>", await blocked.Content.ReadAsStringAsync());
        Assert.Equal($"/items/{item}?done=comment", commented.Headers.Location?.OriginalString);
        Assert.Contains("<p class=\"notice\" role=\"status\">Comment added.</p>", await browser.Page(commented.Headers.Location!.OriginalString));
        Assert.Contains("<p class=\"notice\" role=\"status\">Now open.</p>", await browser.Page($"/items/{item}?done=status"));
    }
}

/// <summary>Outside Development: the Host header chooses no redirect (issue 32.3).</summary>
public sealed class SteeringNoRedirects(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task the_redirect_to_the_sign_in_page_names_no_host_whatever_the_host_header_says()
    {
        var response = await api.CreateClient().GetAsync("http://evil.example/me");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin?ReturnUrl=%2Fme", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task signing_in_through_an_authority_outside_development_without_a_public_origin_does_not_start()
    {
        var start = () => ApiFixture.StartHost(api.Database.ConnectionString, null, builder =>
        {
            builder.UseSetting("Auth:Authority", "http://127.0.0.1:9/");
            builder.UseSetting("Auth:ClientId", "action-tracker-pages");
        });

        var refused = await Assert.ThrowsAnyAsync<Exception>(start);

        Assert.Contains("Web:PublicUrl", refused.ToString());
    }
}
