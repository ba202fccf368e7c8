using ActionTracker.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace ActionTracker.Api.Web;

/// <summary>
/// What keeps the pages from being framed, sniffed, steered or read by another site (issue 32.3):
/// <list type="bullet">
/// <item>Every page response carries a Content-Security-Policy (nothing but this site's own
/// styles and images, forms posting only here, no framing), <c>X-Frame-Options: DENY</c>,
/// <c>X-Content-Type-Options: nosniff</c> and <c>Referrer-Policy: same-origin</c>; every other
/// response carries the last two (the API reference page loads its vendor's scripts and keeps
/// its own policy).</item>
/// <item>Outside Development the session, sign-in (OIDC correlation and nonce) and antiforgery
/// cookies are <c>Secure</c>: serve the pages over HTTPS, or set <c>Web:PublicUrl</c> behind a
/// proxy that ends TLS.</item>
/// <item><c>Web:PublicUrl</c> (e.g. <c>https://tracker.example.com</c>) is the origin people
/// reach the service at: every request is taken as addressed to it, so whatever Host header a
/// request carries, redirects and the OIDC <c>redirect_uri</c> name this origin. Without it the
/// redirects to the sign-in page are relative (no host at all), and signing in through an
/// authority outside Development needs it, or <c>AllowedHosts</c> naming the service's hosts.</item>
/// </list>
/// </summary>
public static class PageSecurity
{
    public const string PublicUrlKey = "Web:PublicUrl";

    /// <summary>The configured public origin, or null; a value that is not an http(s) origin stops the start.</summary>
    public static Uri? PublicOrigin(IConfiguration configuration)
    {
        if (configuration[PublicUrlKey] is not { Length: > 0 } text)
            return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
            throw new InvalidOperationException($"{PublicUrlKey} is the origin the service is reached at, e.g. https://tracker.example.com (no path), not '{text}'.");
        return url;
    }

    public static IServiceCollection AddPageSecurity(this IServiceCollection services)
    {
        services.AddOptions<CookieAuthenticationOptions>(WebPages.Scheme).Configure<IHostEnvironment>((cookie, environment) =>
        {
            cookie.Cookie.SecurePolicy = SecurePolicy(environment);
            cookie.Events.OnRedirectToLogin = Relative;
            cookie.Events.OnRedirectToAccessDenied = Relative;
        });
        services.AddOptions<AntiforgeryOptions>().Configure<IHostEnvironment>((antiforgery, environment) =>
        {
            antiforgery.Cookie.SecurePolicy = SecurePolicy(environment);
            // Every page says DENY itself; the framework's SAMEORIGIN on the first form would be a second value.
            antiforgery.SuppressXFrameOptionsHeader = true;
        });
        return services;
    }

    /// <summary>Secure cookies everywhere but Development, where the service runs on plain http://localhost.</summary>
    public static CookieSecurePolicy SecurePolicy(IHostEnvironment environment) =>
        environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

    /// <summary>First in the pipeline: the public origin in place of the request's own, and the headers on the way out.</summary>
    public static WebApplication UsePageSecurity(this WebApplication app)
    {
        var origin = PublicOrigin(app.Configuration);
        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var allowedHosts = app.Configuration["AllowedHosts"];
        if (auth.SignsInThroughAuthority && !app.Environment.IsDevelopment() && origin is null && allowedHosts is null or "" or "*")
            throw new InvalidOperationException(
                $"Signing in through {auth.Authority} outside Development needs {PublicUrlKey} (the origin people reach the service at) or AllowedHosts naming its hosts: " +
                "otherwise a request's Host header chooses where the authority sends the sign-in code.");
        var policy = ContentSecurityPolicy(auth);
        app.Use((http, next) =>
        {
            if (origin is not null)
            {
                http.Request.Scheme = origin.Scheme;
                http.Request.Host = new HostString(origin.Authority);
            }
            var page = WebPages.IsPageAddress(http.Request.Path);
            // On starting, after whatever an error handler cleared.
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                if (page)
                {
                    headers.ContentSecurityPolicy = policy;
                    headers.XFrameOptions = "DENY";
                }
                return Task.CompletedTask;
            });
            return next(http);
        });
        return app;
    }

    /// <summary>
    /// The pages use no script and no inline style: only this site's stylesheet and images. Forms
    /// post here, and the sign-out form's redirect to the authority's end-session page is let through.
    /// </summary>
    private static string ContentSecurityPolicy(AuthOptions auth)
    {
        var formTargets = "'self'";
        if (auth.SignsInThroughAuthority && Uri.TryCreate(auth.Authority, UriKind.Absolute, out var authority))
            formTargets += " " + authority.GetLeftPart(UriPartial.Authority);
        return $"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action {formTargets}; frame-ancestors 'none'; base-uri 'self'";
    }

    /// <summary>A redirect to the sign-in page as a path of this site: the request's Host header never names where it goes.</summary>
    private static Task Relative(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        var target = Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : context.RedirectUri;
        context.Response.Redirect(target);
        return Task.CompletedTask;
    }
}
