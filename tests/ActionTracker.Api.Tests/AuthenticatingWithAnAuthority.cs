using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ActionTracker.Api.Tests;

/// <summary>
/// A stand-in OIDC provider on loopback: discovery document, JWKS (RS256), and the code flow's
/// authorize and token endpoints for the pages' sign-in. The service is configured with its
/// address and a client only, as in production. The provider's own checks (client, secret,
/// redirect, PKCE, a code used once) are a real provider's, so the service must send them right.
/// Runs on the machine's clock: the sign-in's cookies expire by it.
/// </summary>
public sealed class OidcFixture : ApiFixture
{
    public const string ClientId = "action-tracker-web";
    public const string ClientSecret = "web-client-secret";

    private WebApplication? _provider;
    private readonly ConcurrentDictionary<string, Grant> _grants = new();

    private sealed record Grant(string RedirectUri, string Nonce, string Challenge, Person Person);

    /// <summary>Who the provider says signed in, with the claims it puts in tokens.</summary>
    public sealed record Person(string Sub, string[] Teams, string[] Roles);

    public RSA ProviderKey { get; } = RSA.Create(2048);

    public string Authority { get; private set; } = "";

    /// <summary>The person the provider signs in at its next authorize request.</summary>
    public Person SigningIn { get; set; } = new("alice", ["platform"], ["member"]);

    /// <summary>The subjects of the ID tokens the provider was handed at sign-out (id_token_hint), in order.</summary>
    public ConcurrentQueue<string> SignedOut { get; } = new();

    /// <summary>The key ID tokens are signed with (the provider's own, unless a test forges one).</summary>
    public RSA IdTokenKey { get; set; }

    protected override bool UsesManualClock => false;

    public OidcFixture() => IdTokenKey = ProviderKey;

    public override async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _provider = builder.Build();
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new
        {
            issuer = Authority,
            jwks_uri = $"{Authority}/jwks",
            authorization_endpoint = $"{Authority}/authorize",
            token_endpoint = $"{Authority}/token",
            end_session_endpoint = $"{Authority}/endsession",
            response_types_supported = new[] { "code" },
            subject_types_supported = new[] { "public" },
            id_token_signing_alg_values_supported = new[] { "RS256" },
            code_challenge_methods_supported = new[] { "S256" },
        }));
        var publicKey = ProviderKey.ExportParameters(false);
        _provider.MapGet("/jwks", () => Results.Json(new
        {
            keys = new[]
            {
                new
                {
                    kty = "RSA", use = "sig", alg = "RS256", kid = "provider-key-1",
                    n = Base64UrlEncoder.Encode(publicKey.Modulus), e = Base64UrlEncoder.Encode(publicKey.Exponent),
                },
            },
        }));
        _provider.MapGet("/authorize", Authorize);
        _provider.MapPost("/token", IssueTokens).DisableAntiforgery();
        _provider.MapGet("/endsession", (string? id_token_hint, string? post_logout_redirect_uri, string? state) =>
        {
            SignedOut.Enqueue(id_token_hint is null ? "" : new JsonWebToken(id_token_hint).Subject);
            return post_logout_redirect_uri is null ? Results.Ok() : Results.Redirect($"{post_logout_redirect_uri}?state={Uri.EscapeDataString(state ?? "")}");
        });
        await _provider.StartAsync();
        Authority = _provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await base.InitializeAsync();
    }

    /// <summary>The person at the provider has signed in: back to the client with a code.</summary>
    private IResult Authorize(string client_id, string redirect_uri, string response_type, string state, string nonce, string code_challenge, string code_challenge_method)
    {
        if (client_id != ClientId || response_type != "code" || code_challenge_method != "S256")
            return Results.BadRequest();
        var code = Guid.NewGuid().ToString("N");
        _grants[code] = new Grant(redirect_uri, nonce, code_challenge, SigningIn);
        return Results.Redirect($"{redirect_uri}?code={code}&state={Uri.EscapeDataString(state)}");
    }

    private IResult IssueTokens(HttpRequest request)
    {
        var form = request.Form;
        if (form["grant_type"] != "authorization_code" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret ||
            !_grants.TryRemove(form["code"].ToString(), out var grant) || grant.RedirectUri != form["redirect_uri"] ||
            Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge)
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        var accessToken = ProviderToken(grant.Person.Sub);
        var atHash = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))[..16]);
        var now = DateTime.UtcNow;
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = grant.Person.Sub, ["team"] = grant.Person.Teams, ["role"] = grant.Person.Roles,
                ["nonce"] = grant.Nonce, ["at_hash"] = atHash,
            },
            IssuedAt = now, NotBefore = now, Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(IdTokenKey) { KeyId = "provider-key-1" }, SecurityAlgorithms.RsaSha256),
        });
        return Results.Json(new { access_token = accessToken, token_type = "Bearer", expires_in = 3600, id_token = idToken });
    }

    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("Auth:Authority", Authority);
        builder.UseSetting("Auth:SigningKey", "");
        builder.UseSetting("Auth:ClientId", ClientId);
        builder.UseSetting("Auth:ClientSecret", ClientSecret);
        // Outside Development sign-in through an authority needs the origin people reach the
        // service at; the cookies are Secure there, so the browser below speaks https to it.
        builder.UseSetting("Web:PublicUrl", PublicUrl.ToString());
    }

    /// <summary>Where people reach the service (Web:PublicUrl): the test server answers at any address.</summary>
    public Uri PublicUrl { get; } = new("https://tracker.test/");

    public string ProviderToken(string sub, RSA? key = null, string? issuer = null, string audience = "action-tracker", string[]? teams = null, string[]? roles = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = sub, ["team"] = teams ?? ["platform"], ["role"] = roles ?? ["member"] },
            IssuedAt = DateTime.UtcNow,
            NotBefore = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? ProviderKey) { KeyId = "provider-key-1" }, SecurityAlgorithms.RsaSha256),
        });

    /// <summary>A program calling the API with a token of the authority.</summary>
    public HttpClient WithProviderToken(string sub, string[] teams, string[] roles)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProviderToken(sub, teams: teams, roles: roles));
        return client;
    }

    /// <summary>A browser at the service: keeps its cookies, follows no redirect by itself.</summary>
    public HttpClient Browser() => new(new CookieJar(Host.Server.CreateHandler())) { BaseAddress = PublicUrl };

    /// <summary>A browser at the provider (its own cookies, none of the service's).</summary>
    public HttpClient AtProvider() => new(new HttpClientHandler { AllowAutoRedirect = false });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_provider is not null)
            await _provider.DisposeAsync();
        ProviderKey.Dispose();
    }
}

public sealed class AuthenticatingWithAnAuthority(OidcFixture api) : IClassFixture<OidcFixture>
{
    private async Task<HttpStatusCode> Get(string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync("/api/action-items")).StatusCode;
    }

    [Fact]
    public async Task a_token_signed_by_the_authority_is_accepted()
    {
        Assert.Equal(HttpStatusCode.OK, await Get(api.ProviderToken("alice")));
    }

    [Fact]
    public async Task tokens_the_authority_did_not_sign_are_refused()
    {
        using var stranger = RSA.Create(2048);

        Assert.Equal(HttpStatusCode.Unauthorized, await Get(api.ProviderToken("alice", key: stranger)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get(api.ProviderToken("alice", issuer: "https://elsewhere.example")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get(api.Token("alice", ["platform"], ["member"])));
    }
}
