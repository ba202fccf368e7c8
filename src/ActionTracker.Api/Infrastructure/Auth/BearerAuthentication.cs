using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using ActionTracker.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ActionTracker.Api.Infrastructure.Auth;

/// <summary>
/// Validates <c>Authorization: Bearer</c> JWTs. The JwtBearer package does not restore here, so
/// this is the small part of it we need, on Microsoft.IdentityModel.JsonWebTokens: HS256 with a
/// configured key, or the signing keys of an OIDC authority.
/// </summary>
public sealed class BearerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenValidation validation)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header is not a bearer token.");

        var result = await validation.Validate(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (!result.IsValid)
            return AuthenticateResult.Fail(result.Exception?.Message ?? "Invalid token.");

        var identity = new ClaimsIdentity(result.ClaimsIdentity.Claims, SchemeName, "sub", "role");
        if (identity.FindFirst("sub") is null)
            return AuthenticateResult.Fail("The token has no sub claim.");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>Token validation parameters, from a signing key or from an OIDC authority's metadata.</summary>
public sealed class TokenValidation
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly AuthOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _oidc;
    private readonly TokenValidationParameters _parameters;

    public TokenValidation(IOptions<AuthOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = _options.ClockSkew,
            NameClaimType = "sub",
            RoleClaimType = "role",
            // Lifetime is checked against the injected clock so tests can move time.
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value - p.ClockSkew <= now) &&
                       (expires is null ? !p.RequireExpirationTime : now <= expires.Value + p.ClockSkew);
            },
        };

        if (!string.IsNullOrWhiteSpace(_options.Authority))
        {
            var authority = _options.Authority.TrimEnd('/');
            _oidc = new ConfigurationManager<OpenIdConnectConfiguration>(
                $"{authority}/.well-known/openid-configuration",
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever { RequireHttps = authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase) });
        }
        else if (DevTokens.KeyFrom(_options) is { } key)
        {
            _parameters.IssuerSigningKey = key;
            _parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            // Development and test tokens (API.md) are minted by other tools too, often without
            // `exp` (PyJWT's default): accepted unless Auth:RequireExpiration, and checked
            // whenever they carry one. Tokens of an OIDC authority must expire.
            _parameters.RequireExpirationTime = _options.RequireExpiration;
        }
        else
        {
            throw new InvalidOperationException(
                "No token validation is configured: set Auth:Authority (OIDC) or Auth:SigningKey (HS256, at least 32 bytes).");
        }
    }

    public async Task<TokenValidationResult> Validate(string token, CancellationToken ct)
    {
        var parameters = _parameters;
        if (_oidc is not null)
        {
            var config = await _oidc.GetConfigurationAsync(ct);
            parameters = _parameters.Clone();
            parameters.IssuerSigningKeys = config.SigningKeys;
            parameters.ValidIssuer = config.Issuer;
        }
        return await _handler.ValidateTokenAsync(token, parameters);
    }
}

/// <summary>Development tokens: the same signing key the service validates with.</summary>
public static class DevTokens
{
    public static SymmetricSecurityKey? KeyFrom(AuthOptions options)
    {
        if (string.IsNullOrEmpty(options.SigningKey))
            return null;
        var bytes = Encoding.UTF8.GetBytes(options.SigningKey);
        if (bytes.Length < 32)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes for HS256.");
        return new SymmetricSecurityKey(bytes);
    }

    public static string Create(
        AuthOptions options,
        string sub,
        IEnumerable<string> teams,
        IEnumerable<string> roles,
        DateTimeOffset now,
        TimeSpan? lifetime = null,
        string? name = null)
    {
        var key = KeyFrom(options) ?? throw new InvalidOperationException("Auth:SigningKey is not configured.");
        var claims = new Dictionary<string, object> { ["sub"] = sub, ["team"] = teams.ToArray(), ["role"] = roles.ToArray() };
        if (name is not null)
            claims["name"] = name;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + (lifetime ?? TimeSpan.FromHours(12))).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}

public static class CallerExtensions
{
    /// <summary>The domain's view of the authenticated principal.</summary>
    public static Caller ToCaller(this ClaimsPrincipal user) => Caller.Create(
        user.FindFirstValue("sub") ?? throw new InvalidOperationException("Authenticated principal without sub."),
        user.FindAll("team").Select(c => c.Value),
        user.FindAll("role").Select(c => c.Value));
}

public static class AuthExtensions
{
    public static IServiceCollection AddBearerAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        services.AddSingleton<TokenValidation>();
        services.AddAuthentication(BearerAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
        services.AddAuthorization();
        return services;
    }
}
