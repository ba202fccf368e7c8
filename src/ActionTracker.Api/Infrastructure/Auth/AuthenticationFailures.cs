using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace ActionTracker.Api.Infrastructure.Auth;

/// <summary>
/// Failed authentications are counted (metric <c>actiontracker.auth.failures</c>, by reason) and
/// logged as one summary line per interval at most: a flood of bad tokens must not become a flood
/// of log lines (each rejected request costs no log bytes of its own).
/// </summary>
public sealed partial class AuthenticationFailures(ServiceMetrics metrics, TimeProvider time, ILogger<AuthenticationFailures> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private long _count;
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;

    public Task Failed(AuthenticationFailedContext context)
    {
        var reason = Reason(context.Exception);
        metrics.AuthenticationFailed(reason);
        long count;
        DateTimeOffset since;
        lock (_lock)
        {
            _count++;
            var now = time.GetUtcNow();
            if (now - _windowStart < Interval)
                return Task.CompletedTask;
            (count, since, _count, _windowStart) = (_count, _windowStart == DateTimeOffset.MinValue ? now : _windowStart, 0, now);
        }
        LogFailures(count, since, reason);
        return Task.CompletedTask;
    }

    /// <summary>A short, bounded name for why a token was refused (the metric's tag).</summary>
    public static string Reason(Exception error) => error.GetType().Name switch
    {
        "SecurityTokenExpiredException" => "expired",
        "SecurityTokenNotYetValidException" => "not_yet_valid",
        "SecurityTokenSignatureKeyNotFoundException" or "SecurityTokenInvalidSignatureException" => "signature",
        "SecurityTokenInvalidIssuerException" => "issuer",
        "SecurityTokenInvalidAudienceException" => "audience",
        "SecurityTokenNoExpirationException" => "no_expiration",
        "SecurityTokenMalformedException" or "ArgumentException" => "malformed",
        _ => "invalid",
    };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "{Count} request(s) failed authentication since {Since:O} (the latest: {Reason}); one line per interval at most")]
    private partial void LogFailures(long count, DateTimeOffset since, string reason);
}
