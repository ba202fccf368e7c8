using System.Diagnostics;
using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using ActionTracker.Api.Infrastructure.Store;
using ConcurrencyException = JasperFx.ConcurrencyException;
using Marten;
using Marten.Exceptions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using System.Runtime.ExceptionServices;
using Wolverine;
using Wolverine.Runtime;

namespace ActionTracker.Api.ActionItems;

public static class Clock
{
    /// <summary>Now, to the millisecond: what PostgreSQL stores and reads back exactly.</summary>
    public static DateTimeOffset Now(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}

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

/// <summary>The outcome of a write: the response body and the status it was first given with.</summary>
public sealed record CommandResult<T>(int Status, T Body, string ETag, bool Replayed = false);

/// <summary>
/// The front door of every item command: replays a retried request from its idempotency record,
/// hands the command to Wolverine (<see cref="RunItemCommandHandler"/> decides and appends in
/// one transaction, retried under the stream's lock after a lost race), and counts the outcome.
/// A concurrency failure is never a 500; the same key raced with itself returns the winner's
/// response.
/// </summary>
public sealed class ActionItemCommands(
    IWolverineRuntime wolverine,
    IdempotencyKeys idempotency,
    ServiceMetrics metrics,
    IOptions<JsonOptions> jsonOptions)
{
    private JsonSerializerOptions Json => jsonOptions.Value.SerializerOptions;

    public Task<CommandResult<T>> Create<T>(CreateActionItem command, CommandRequest request,
        Func<ActionItem, long, DateTimeOffset, T> respond, CancellationToken ct) where T : notnull =>
        Run<T>(new RunItemCommand(command.ItemId, command, null, request, StatusCodes.Status201Created, (i, v, n) => respond(i, v, n)), ct);

    public Task<CommandResult<T>> Execute<T>(Guid id, ActionItemCommand command, CommandRequest request, int successStatus,
        Func<ActionItem, long, DateTimeOffset, T> respond, CancellationToken ct) where T : notnull =>
        Run<T>(new RunItemCommand(id, null, command, request, successStatus, (i, v, n) => respond(i, v, n)), ct);

    private async Task<CommandResult<T>> Run<T>(RunItemCommand command, CancellationToken ct)
    {
        try
        {
            var result = await Decide<T>(command, ct);
            metrics.Command(command.Name, result.Replayed ? "replayed" : "ok");
            return result;
        }
        catch (Exception e) when (Outcome(e) is { } outcome)
        {
            metrics.Command(command.Name, outcome);
            throw;
        }
    }

    private static string? Outcome(Exception e) => e switch
    {
        DomainException or ResourceNotFound or VersionMismatch or IdempotencyKeyReused => "rejected",
        ConcurrencyException or ExistingStreamIdCollisionException => "conflict",
        _ => null,
    };

    private async Task<CommandResult<T>> Decide<T>(RunItemCommand command, CancellationToken ct)
    {
        var request = command.Request;
        using var activity = Telemetry.Source.StartActivity($"command {command.Name}");
        activity?.SetTag("actiontracker.item.id", command.ItemId);
        activity?.SetTag("enduser.id", request.Caller.Id);
        if (await Replay<T>(request, ct) is { } replayed)
        {
            activity?.SetTag("actiontracker.idempotent_replay", true);
            return replayed;
        }

        // A bus of its own per command: its correlation id is the request's, and every message the
        // handler schedules carries it.
        var bus = new MessageBus(wolverine) { CorrelationId = request.Metadata.CorrelationId };
        ItemCommandOutcome outcome;
        try
        {
            outcome = await bus.InvokeAsync<ItemCommandOutcome>(command, ct);
        }
        catch (Exception e) when (IsIdempotencyRace(e))
        {
            // The same key raced with itself: the other request won, return its response.
            return await Replay<T>(request, ct) ?? throw new InvalidOperationException("Idempotency record vanished.");
        }

        if (outcome.Refusal is { } refusal)
            ExceptionDispatchInfo.Throw(refusal);
        return new CommandResult<T>(command.SuccessStatus, (T)outcome.Body!, outcome.ETag);
    }

    private static bool IsIdempotencyRace(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: IdempotencyKeys.Constraint })
                return true;
        return false;
    }

    private async Task<CommandResult<T>?> Replay<T>(CommandRequest request, CancellationToken ct)
    {
        if (request.IdempotencyKey is not { } key || await idempotency.Find(request.Caller.Id, key, ct) is not { } stored)
            return null;
        if (stored.Fingerprint != request.Fingerprint)
            throw new IdempotencyKeyReused();
        return new CommandResult<T>(stored.Status, JsonSerializer.Deserialize<T>(stored.Body, Json)!, stored.ETag ?? "", Replayed: true);
    }
}
