using System.Diagnostics;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ActionTracker.Api.ActionItems;

/// <summary>What a write request brings besides its command: caller, preconditions, retry key.</summary>
public sealed record CommandRequest(Caller Caller, long? IfMatch, string? IdempotencyKey, string Fingerprint, EventMetadata Metadata)
{
    public static CommandRequest From(HttpContext http, string operation, object body)
    {
        var caller = http.User.ToCaller();
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > IdempotencyKeys.MaxKeyLength)
            throw new InvalidRequest("Idempotency-Key", $"At most {IdempotencyKeys.MaxKeyLength} characters.");
        // The fingerprint (the request's JSON hashed) serves only a key that is recorded.
        var fingerprint = key.Length == 0 ? "" : IdempotencyKeys.Fingerprint(operation, body,
            http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        return new CommandRequest(
            caller,
            ParseIfMatch(http.Request.Headers.IfMatch.ToString()),
            key.Length == 0 ? null : key,
            fingerprint,
            MetadataOf(http, caller));
    }

    /// <summary>The metadata events written for this request carry: actor, correlation, trace context.</summary>
    public static EventMetadata MetadataOf(HttpContext http, Caller caller)
    {
        var correlation = http.Request.Headers["X-Correlation-Id"].ToString();
        var activity = Activity.Current;
        return new EventMetadata(
            caller.Id,
            CorrelationId: correlation.Length is > 0 and <= 200 ? correlation : http.TraceIdentifier,
            CausationId: http.TraceIdentifier,
            TraceParent: activity?.Id,
            TraceState: activity?.TraceStateString);
    }

    /// <summary>The version a write's If-Match names; null without one (or with *).</summary>
    public static long? IfMatchOf(HttpContext http) => ParseIfMatch(http.Request.Headers.IfMatch.ToString());

    private static long? ParseIfMatch(string header)
    {
        if (header.Length == 0 || header == "*")
            return null;
        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (tag.Length > 2 && tag[0] == '"' && tag[^1] == '"' && long.TryParse(tag.AsSpan(1, tag.Length - 2), out var version) && version > 0)
            return version;
        throw new InvalidRequest("If-Match", "Send the ETag of the item as read, e.g. \"3\".");
    }
}
