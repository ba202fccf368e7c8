using ActionTracker.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ActionTracker.Api.Web;

/// <summary>
/// People sign in to the pages through the OIDC authority that issues the API's tokens (API.md
/// "Web pages"): the code flow with PKCE, its ID token validated against the authority's keys,
/// then the same cookie session as the Development sign-in, carrying the same claims a bearer
/// token does (sub, team, role). On when <c>Auth:Authority</c> and <c>Auth:ClientId</c> are set.
/// </summary>
public static class AuthoritySignIn
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;

    public const string Path = "/signin/authority";

    /// <summary>Registered only when configured: the authentication middleware asks every remote scheme about every request.</summary>
    public static AuthenticationBuilder AddAuthoritySignIn(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        if (configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() is not { SignsInThroughAuthority: true })
            return authentication;
        authentication.AddOpenIdConnect(Scheme, _ => { });
        authentication.Services.AddOptions<OpenIdConnectOptions>(Scheme)
            .Configure<IOptions<AuthOptions>, TimeProvider, IHostEnvironment>((oidc, auth, time, environment) => Configure(oidc, auth.Value, time, environment));
        return authentication;
    }

    public static bool IsOn(IServiceProvider services) =>
        services.GetRequiredService<IOptions<AuthOptions>>().Value.SignsInThroughAuthority;

    public static WebApplication MapAuthoritySignIn(this WebApplication app)
    {
        if (IsOn(app.Services))
            app.MapGet(Path, (string? returnUrl) =>
                TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalOrHome(returnUrl) }, [Scheme]))
                .ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Ends the session at the provider as well, when it offers an end-session endpoint: it then
    /// sends the browser back to /signin. False when sign-in through an authority is off or the
    /// provider has no such endpoint (the local session ends either way).
    /// </summary>
    public static async Task<bool> SignOutAtAuthority(HttpContext http)
    {
        if (!IsOn(http.RequestServices))
            return false;
        var oidc = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(Scheme);
        var provider = await oidc.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
        if (string.IsNullOrEmpty(provider.EndSessionEndpoint))
            return false;
        // Before the cookie goes: the handler reads the ID token from it for id_token_hint.
        await http.SignOutAsync(Scheme, new AuthenticationProperties { RedirectUri = "/signin" });
        return true;
    }

    /// <summary>Where to go after signing in: a path of this site, never another site (an open redirect).</summary>
    public static string LocalOrHome(string? returnUrl) =>
        // (Browsers drop tabs and newlines from an address: "/\t/x" would become "//x", another site.)
        returnUrl is ['/', not '/' and not '\\', ..] or ['/'] && !returnUrl.Contains('\\') && !returnUrl.Any(char.IsControl)
        && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative)
            ? returnUrl
            : "/";

    private static void Configure(OpenIdConnectOptions oidc, AuthOptions auth, TimeProvider time, IHostEnvironment environment)
    {
        oidc.SignInScheme = WebPages.Scheme;
        oidc.Authority = auth.Authority!.TrimEnd('/');
        oidc.RequireHttpsMetadata = oidc.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        oidc.ClientId = auth.ClientId;
        oidc.ClientSecret = string.IsNullOrEmpty(auth.ClientSecret) ? null : auth.ClientSecret;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        oidc.UsePkce = true;
        // The code comes back on a GET: the correlation and nonce cookies can then be SameSite=Lax
        // (a form_post callback is a cross-site POST, which needs SameSite=None and HTTPS).
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
        oidc.NonceCookie.SameSite = SameSiteMode.Lax;
        oidc.CorrelationCookie.SecurePolicy = PageSecurity.SecurePolicy(environment);
        oidc.NonceCookie.SecurePolicy = PageSecurity.SecurePolicy(environment);
        oidc.Scope.Clear();
        oidc.Scope.Add("openid");
        oidc.Scope.Add("profile");
        // The pages call no API with the provider's tokens: the cookie keeps the identity and the
        // ID token alone, which signing out hands back to the provider (id_token_hint).
        oidc.SaveTokens = false;
        oidc.MapInboundClaims = false;
        oidc.TimeProvider = time;
        oidc.TokenValidationParameters.NameClaimType = "sub";
        oidc.TokenValidationParameters.RoleClaimType = "role";
        oidc.TokenValidationParameters.ClockSkew = auth.ClockSkew;
        oidc.TokenValidationParameters.LifetimeValidator = BearerAuthentication.Lifetime(time);
        oidc.Events = new OpenIdConnectEvents
        {
            OnTokenValidated = context =>
            {
                if (BearerAuthentication.SubjectProblem(context.Principal) is { } problem)
                    context.Fail(problem);
                else if ((context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken) is { } idToken)
                    context.Properties!.StoreTokens([new AuthenticationToken { Name = "id_token", Value = idToken }]);
                return Task.CompletedTask;
            },
            // A refused sign-in (a bad token, a stale or forged state, the person declined) lands
            // on the sign-in page with a message, not on an error page.
            OnRemoteFailure = context =>
            {
                context.Response.Redirect("/signin?failed=yes");
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }
}
