using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ActionTracker.Api.Infrastructure.Auth;

/// <summary>
/// <c>Authorization: Bearer</c> JWTs through ASP.NET Core's JwtBearer handler: HS256 with the
/// configured signing key (development and tests), or the signing keys of an OIDC authority.
/// </summary>
public static class BearerAuthentication
{
    public static IServiceCollection AddBearerAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Authority) || !string.IsNullOrEmpty(o.SigningKey),
                "No token validation is configured: set Auth:Authority (OIDC) or Auth:SigningKey (HS256, at least 32 bytes).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Authority) || DevTokens.KeyBytes(o).Length >= 32,
                "Auth:SigningKey must be at least 32 bytes for HS256.")
            .ValidateOnStart();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<AuthenticationFailures>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, TimeProvider, AuthenticationFailures>((jwt, auth, time, failures) => Configure(jwt, auth.Value, time, failures));
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole("admin"))
            .AddPolicy(Policies.AdminOrService, p => p.RequireRole("admin", "service"));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ForbiddenAsProblem>();
        return services;
    }

    /// <summary>
    /// The subject becomes the actor of every event the caller causes: it must be a name a person
    /// can read (1 to 200 printable characters), as API.md says. Null when it is.
    /// </summary>
    public static string? SubjectProblem(System.Security.Claims.ClaimsPrincipal? principal) =>
        principal?.FindFirst("sub")?.Value is not { } sub ? "The token has no sub claim."
        : sub.Trim().Length is 0 || sub.Length > 200 || Domain.Text.Problem(sub) is not null ? "The token's sub is not 1 to 200 printable characters."
        : null;

    /// <summary>
    /// Token lifetimes are checked against the injected clock, so tests can move time (the
    /// handlers' own check reads the machine's clock).
    /// </summary>
    public static LifetimeValidator Lifetime(TimeProvider time) => (notBefore, expires, _, p) =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        return (notBefore is null || notBefore.Value - p.ClockSkew <= now) &&
               (expires is null ? !p.RequireExpirationTime : now <= expires.Value + p.ClockSkew);
    };

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, TimeProvider time, AuthenticationFailures failures)
    {
        // Claims keep their JWT names (sub, team, role), as API.md and the domain's Caller read them.
        jwt.MapInboundClaims = false;
        jwt.TimeProvider = time;
        var parameters = new TokenValidationParameters
        {
            ValidAudience = auth.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = auth.ClockSkew,
            NameClaimType = "sub",
            RoleClaimType = "role",
            LifetimeValidator = Lifetime(time),
        };
        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            // The issuer and signing keys come from the authority's discovery document.
            jwt.Authority = auth.Authority.TrimEnd('/');
            jwt.RequireHttpsMetadata = jwt.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            parameters.ValidIssuer = auth.Issuer;
            parameters.IssuerSigningKey = DevTokens.KeyFrom(auth);
            parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            // Development and test tokens (API.md) are minted by other tools too, often without
            // `exp` (PyJWT's default): accepted unless Auth:RequireExpiration, and checked
            // whenever they carry one. Tokens of an OIDC authority must expire.
            parameters.RequireExpirationTime = auth.RequireExpiration;
        }
        jwt.TokenValidationParameters = parameters;
        jwt.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = failures.Failed,
            OnTokenValidated = context =>
            {
                if (SubjectProblem(context.Principal) is { } problem)
                    context.Fail(problem);
                return Task.CompletedTask;
            },
        };
    }
}
