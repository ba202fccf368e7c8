using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
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
/// A stand-in OIDC provider on loopback: discovery document and JWKS, RS256 keys. The service
/// is configured with its address only, as in production.
/// </summary>
public sealed class OidcFixture : ApiFixture
{
    private WebApplication? _provider;

    public RSA ProviderKey { get; } = RSA.Create(2048);

    public string Authority { get; private set; } = "";

    public override async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _provider = builder.Build();
        _provider.MapGet("/.well-known/openid-configuration", (HttpContext http) => Results.Json(new
        {
            issuer = Authority,
            jwks_uri = $"{Authority}/jwks",
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
        await _provider.StartAsync();
        Authority = _provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await base.InitializeAsync();
    }

    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("Auth:Authority", Authority);
        builder.UseSetting("Auth:SigningKey", "");
    }

    public string ProviderToken(string sub, RSA? key = null, string? issuer = null, string audience = "action-tracker") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = sub, ["team"] = new[] { "platform" }, ["role"] = new[] { "member" } },
            IssuedAt = Clock.GetUtcNow().UtcDateTime,
            NotBefore = Clock.GetUtcNow().UtcDateTime,
            Expires = Clock.GetUtcNow().AddHours(1).UtcDateTime,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? ProviderKey) { KeyId = "provider-key-1" }, SecurityAlgorithms.RsaSha256),
        });

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
