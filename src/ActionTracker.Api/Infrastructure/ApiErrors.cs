namespace ActionTracker.Api.Infrastructure;

/// <summary>Errors raised by the HTTP layer itself; mapped to problem details with the domain's.</summary>
public abstract class ApiException(string message) : Exception(message);

public sealed class ResourceNotFound(string message) : ApiException(message);

/// <summary>If-Match named a version the item no longer (or never) had.</summary>
public sealed class VersionMismatch(long expected, long actual)
    : ApiException($"The item is at version {actual}, not {expected}. Read it again and retry.");

/// <summary>The body's content type is not one the operation reads; the message names those it does.</summary>
public sealed class UnsupportedContentType(string message) : ApiException(message);

/// <summary>The caller already runs as much of this kind of work as it may at once; retry shortly (429).</summary>
public sealed class TooBusy(string message) : ApiException(message);

/// <summary>The caller has as many of something as one caller may (409); the message says what to remove first.</summary>
public sealed class LimitReached(string message) : ApiException(message);

public sealed class IdempotencyKeyReused()
    : ApiException("This Idempotency-Key was already used for a different request.");

public sealed class InvalidRequest(IReadOnlyDictionary<string, string[]> errors, string message = "The request has invalid fields.")
    : ApiException(message)
{
    public InvalidRequest(string field, string message) : this(new Dictionary<string, string[]> { [field] = [message] }) { }

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
