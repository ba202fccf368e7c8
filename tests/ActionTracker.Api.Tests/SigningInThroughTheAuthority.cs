using System.Net;
using System.Security.Cryptography;
using ActionTracker.Api.Web;

namespace ActionTracker.Api.Tests;

/// <summary>
/// The pages' sign-in outside Development (API.md "Web pages"): OpenID Connect against the
/// authority that issues the API's tokens, then a cookie session with the same claims.
/// </summary>
public sealed class SigningInThroughTheAuthority(OidcFixture api) : IClassFixture<OidcFixture>
{
    /// <summary>Through the sign-in page, the provider and back; returns where the service sent the browser last.</summary>
    private async Task<string> SignIn(HttpClient browser, string returnUrl)
    {
        var signInPage = await browser.Page($"/signin?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Contains($"href=\"{AuthoritySignIn.Path}?returnUrl={Uri.EscapeDataString(returnUrl)}\"", signInPage);
        var toProvider = await browser.GetAsync($"{AuthoritySignIn.Path}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, toProvider.StatusCode);
        Assert.StartsWith($"{api.Authority}/authorize?", toProvider.Headers.Location!.AbsoluteUri);

        var backWithCode = await api.AtProvider().GetAsync(toProvider.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, backWithCode.StatusCode);
        var callback = await browser.GetAsync(backWithCode.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        return callback.Headers.Location!.OriginalString;
    }

    [Fact]
    public async Task a_lead_signs_in_at_the_authority_and_works_with_the_claims_it_gave()
    {
        var team = "oidc-" + Guid.NewGuid().ToString("N")[..8];
        var item = await api.WithProviderToken("someone", [team], ["lead"]).CreateItem(team: team, owner: "ann", title: "Pin the ingress chart");
        api.SigningIn = new OidcFixture.Person("lena", [team], ["lead"]);
        var browser = api.Browser();

        Assert.Equal($"/items/{item}", await SignIn(browser, $"/items/{item}"));

        var page = await browser.Page($"/items/{item}");
        Assert.Contains("Signed in as <strong>lena</strong>", page);
        Assert.Contains("Won't do", Pages.Buttons(page)); // a lead's action: the role claim came through
        var comment = await browser.PostForm($"/items/{item}/comments", page, ("text", "Chart pinned in staging."), ("version", "1"));
        Assert.Equal($"/items/{item}?done=comment", comment.Headers.Location?.OriginalString);
        Assert.Contains("Chart pinned in staging.", await browser.Page($"/items/{item}"));
        var home = await browser.GetAsync("/");
        Assert.Equal($"/teams/{team}", home.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task signing_out_ends_the_session_here_and_at_the_authority()
    {
        var team = "oidc-" + Guid.NewGuid().ToString("N")[..8];
        api.SigningIn = new OidcFixture.Person("omar", [team], ["member"]);
        var browser = api.Browser();
        await SignIn(browser, "/me");
        var page = await browser.Page("/me");

        var signOut = await browser.PostForm("/signout", page);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.StartsWith($"{api.Authority}/endsession?", signOut.Headers.Location!.AbsoluteUri);
        var back = await api.AtProvider().GetAsync(signOut.Headers.Location);
        Assert.Contains("omar", api.SignedOut); // the provider was told whose session to end
        var landed = await browser.GetAsync(back.Headers.Location!.PathAndQuery);
        Assert.Equal("/signin", landed.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/me")).StatusCode); // no session here either
    }

    [Fact]
    public async Task the_authority_is_told_the_public_origin_whatever_host_a_request_names_and_every_cookie_is_secure()
    {
        var team = "oidc-" + Guid.NewGuid().ToString("N")[..8];
        api.SigningIn = new OidcFixture.Person("sam", [team], ["member"]);
        var browser = api.Browser();
        var cookies = new List<string>();
        void Keep(HttpResponseMessage response) => cookies.AddRange(response.Headers.TryGetValues("Set-Cookie", out var set) ? set : []);

        var steered = await browser.GetAsync($"http://evil.example{AuthoritySignIn.Path}?returnUrl=%2Fme");
        Keep(steered);
        var toProvider = await browser.GetAsync($"{AuthoritySignIn.Path}?returnUrl=%2Fme");
        Keep(toProvider);

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(steered.Headers.Location!.Query);
        Assert.Equal($"{api.PublicUrl}signin-oidc", query["redirect_uri"].ToString());
        var backWithCode = await api.AtProvider().GetAsync(toProvider.Headers.Location);
        var callback = await browser.GetAsync(backWithCode.Headers.Location!.PathAndQuery);
        Keep(callback);
        Assert.Equal("/me", callback.Headers.Location?.OriginalString);
        var page = await browser.GetAsync("/me");
        Keep(page);

        // The correlation and nonce cookies, the session, the antiforgery cookie of the page's sign-out form.
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.OpenIdConnect.Nonce.", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("actiontracker=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task an_id_token_the_authority_did_not_sign_signs_nobody_in()
    {
        using var forger = RSA.Create(2048);
        api.IdTokenKey = forger;
        try
        {
            var browser = api.Browser();

            Assert.Equal("/signin?failed=yes", await SignIn(browser, "/me"));

            var me = await browser.GetAsync("/me");
            Assert.Equal(HttpStatusCode.Redirect, me.StatusCode);
            Assert.StartsWith("/signin", me.Headers.Location!.OriginalString);
            Assert.Contains("did not sign you in", await browser.Page("/signin?failed=yes"));
        }
        finally
        {
            api.IdTokenKey = api.ProviderKey;
        }
    }

    [Fact]
    public async Task a_callback_the_service_did_not_start_signs_nobody_in()
    {
        var browser = api.Browser();

        var forged = await browser.GetAsync("/signin-oidc?code=stolen&state=made-up");

        Assert.Equal("/signin?failed=yes", forged.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/me")).StatusCode);
    }

    [Theory]
    [InlineData("/teams/platform?status=open", "/teams/platform?status=open")]
    [InlineData("https://elsewhere.example/", "/")]
    [InlineData("//elsewhere.example/", "/")]
    [InlineData("/\\elsewhere.example/", "/")]
    [InlineData("/\t/elsewhere.example/", "/")] // browsers drop tabs and newlines: "//elsewhere.example/"
    [InlineData("/\n/elsewhere.example/", "/")]
    [InlineData("", "/")]
    public void the_sign_in_returns_only_to_a_page_of_this_site(string asked, string returned)
    {
        Assert.Equal(returned, AuthoritySignIn.LocalOrHome(asked));
    }

    [Fact]
    public async Task the_development_sign_in_does_not_exist_here()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await api.Browser().GetAsync("/signin/dev?sub=mallory&role=admin")).StatusCode);
    }
}
