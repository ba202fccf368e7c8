namespace ActionTracker.Api.Infrastructure.Auth;

/// <summary>Token validation settings (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>HS256 key for development and tests; at least 32 bytes.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "action-tracker-dev";

    public string Audience { get; set; } = "action-tracker";

    /// <summary>OIDC authority for production tokens; its JWKS replaces the signing key.</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// The web pages' client at the authority (OpenID Connect sign-in, code flow with PKCE); with
    /// <see cref="Authority"/> it turns the browser sign-in on. Absent, only bearer tokens (and in
    /// Development the dev sign-in) reach the service.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>The client's secret at the authority; empty for a public client (PKCE alone).</summary>
    public string? ClientSecret { get; set; }

    public bool SignsInThroughAuthority => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Refuse signing-key tokens without <c>exp</c>. Off by default: development and test tokens
    /// are minted by other tools too, often without it. An authority's tokens must always expire.
    /// </summary>
    public bool RequireExpiration { get; set; }
}
