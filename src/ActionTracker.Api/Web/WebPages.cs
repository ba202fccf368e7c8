using ActionTracker.Api.Infrastructure;
using System.Security.Claims;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Web.Components;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ActionTracker.Api.Web;

/// <summary>
/// The pages for people (API.md "Web pages"): server-rendered Razor components on a cookie
/// session; the JSON API stays on bearer tokens, and never accepts the cookie (a browser's
/// cookie must not authorize cross-site JSON writes).
/// </summary>
public static class WebPages
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>An address for people, as opposed to programs (the API, health, the API's documents).</summary>
    public static bool IsPageAddress(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/health") && !path.StartsWithSegments("/openapi")
        && !path.StartsWithSegments("/docs");

    /// <summary>
    /// The not-found page, in the site's frame, keeping the 404. An address with no route has no
    /// authorization of its own, so the session is read here: the frame shows who is signed in.
    /// </summary>
    public static async Task NotFoundPage(HttpContext http)
    {
        if (await http.AuthenticateAsync(Scheme) is { Succeeded: true, Principal: { } user })
            http.User = user;
        // A page that called NavigationManager.NotFound() has rendered in this request already:
        // this render gets services of its own (Blazor's are once per scope), and the header
        // that render set would otherwise be added twice.
        http.Response.Headers.Remove("blazor-enhanced-nav");
        var services = http.RequestServices;
        await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        http.RequestServices = scope.ServiceProvider;
        try
        {
            await new Microsoft.AspNetCore.Http.HttpResults.RazorComponentResult<App>(new { NotFound = true }) { StatusCode = StatusCodes.Status404NotFound }
                .ExecuteAsync(http);
        }
        finally
        {
            http.RequestServices = services;
        }
    }

    public static IServiceCollection AddWebPages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents();
        services.AddSingleton<INotFoundPage, SiteNotFoundPage>();
        services.AddAntiforgery();
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.LoginPath = "/signin";
            cookie.Cookie.Name = "actiontracker";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        }).AddAuthoritySignIn(configuration);
        // (Secure cookies outside Development, relative sign-in redirects: PageSecurity.)
        services.AddPageSecurity();
        return services;
    }

    public static WebApplication MapWebPages(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>();
        app.MapItemForms();
        // (A handler taking only HttpContext is a RequestDelegate, whose return value is dropped:
        // these redirect through the response itself.)
        app.MapGet("/", async (HttpContext http) => http.Response.Redirect(await Home(http))).ExcludeFromDescription();
        app.MapAuthoritySignIn();
        if (app.Environment.IsDevelopment())
            app.MapGet("/signin/dev", SignInForDevelopment).ExcludeFromDescription();
        app.MapPost("/signout", async (HttpContext http) =>
        {
            RequireFormToken(http);
            var atAuthority = await AuthoritySignIn.SignOutAtAuthority(http); // redirects to the provider
            await http.SignOutAsync(Scheme);
            if (!atAuthority)
                http.Response.Redirect("/signin");
        })
            // Signed in through the cookie before the token is checked: a form's token is bound to its user.
            .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { AuthenticationSchemes = Scheme })
            .WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Every form carries an antiforgery token (API.md); the middleware checks it, and a post whose
    /// token is missing or wrong is refused here, before it acts.
    /// </summary>
    public static void RequireFormToken(HttpContext http)
    {
        if (http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is not { IsValid: true })
            throw new Infrastructure.InvalidRequest("__RequestVerificationToken", "The form's token is missing or stale: reload the page and send it again.");
    }

    /// <summary>The caller's board: their first team's, or their own items; signed out, the sign-in page.</summary>
    private static async Task<string> Home(HttpContext http) =>
        await http.AuthenticateAsync(Scheme) is { Succeeded: true, Principal: { } user }
            ? user.ToCaller().Teams.Order(StringComparer.Ordinal).FirstOrDefault() is { } team ? $"/teams/{Uri.EscapeDataString(team)}" : "/me"
            : "/signin";

    /// <summary>
    /// Development only (API.md): signs in as the caller named, with the same claims a token
    /// carries, and goes home. Mapped only in Development, so it is a 404 anywhere else.
    /// </summary>
    private static async Task<IResult> SignInForDevelopment(HttpContext http, string? sub, string[]? team, string[]? role)
    {
        if (string.IsNullOrWhiteSpace(sub) || sub.Length > 200 || Domain.Text.Problem(sub) is not null)
            throw new Infrastructure.InvalidRequest("sub", "Sign in as a user id of 1 to 200 printable characters.");
        var claims = new List<Claim> { new("sub", sub) };
        claims.AddRange((team ?? []).Where(Domain.Names.IsTeamSlug).Select(t => new Claim("team", t)));
        claims.AddRange((role is { Length: > 0 } ? role : [Domain.Caller.MemberRole]).Select(r => new Claim("role", r)));
        await http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, "sub", "role")));
        return TypedResults.Redirect("/");
    }
}
