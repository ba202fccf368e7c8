using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ActionTracker.Api.Infrastructure.Auth;

/// <summary>Development tokens: the same signing key the service validates with.</summary>
public static class DevTokens
{
    public static byte[] KeyBytes(AuthOptions options) => Encoding.UTF8.GetBytes(options.SigningKey ?? "");

    public static SymmetricSecurityKey? KeyFrom(AuthOptions options)
    {
        if (string.IsNullOrEmpty(options.SigningKey))
            return null;
        var bytes = KeyBytes(options);
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
