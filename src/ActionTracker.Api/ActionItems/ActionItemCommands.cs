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
/// Runs a command against one action item on Marten: fetch the item for writing, check If-Match,
/// decide, append, save, all in one transaction with the idempotency record. A command without
/// If-Match that loses a race is decided again under the stream's row lock, so it always makes
/// progress; a concurrency failure is never a 500.
/// </summary>
public sealed class ActionItemCommands(
    OutboxSessions sessions,
    ItemStreams items,
    IdempotencyKeys idempotency,
    TimeProvider time,
    DueDatePolicy policy,
    ServiceMetrics metrics,
    Teams.TeamDirectory teams,
    IOptions<JsonOptions> jsonOptions)
{
    private const int MaxAttempts = 3;
    private JsonSerializerOptions Json => jsonOptions.Value.SerializerOptions;

    public Task<CommandResult<T>> Create<T>(CreateActionItem command, CommandRequest request,
        Func<ActionItem, long, DateTimeOffset, T> respond, CancellationToken ct) =>
        Run(command.ItemId, request, StatusCodes.Status201Created, respond, ct, create: command);

    public Task<CommandResult<T>> Execute<T>(Guid id, ActionItemCommand command, CommandRequest request, int successStatus,
        Func<ActionItem, long, DateTimeOffset, T> respond, CancellationToken ct) =>
        Run(id, request, successStatus, respond, ct, update: command);

    private async Task<CommandResult<T>> Run<T>(Guid id, CommandRequest request, int successStatus,
        Func<ActionItem, long, DateTimeOffset, T> respond, CancellationToken ct,
        CreateActionItem? create = null, ActionItemCommand? update = null)
    {
        var name = (create ?? update)!.GetType().Name;
        try
        {
            var result = await Decide(id, request, successStatus, respond, name, ct, create, update);
            metrics.Command(name, result.Replayed ? "replayed" : "ok");
            return result;
        }
        catch (Exception e) when (Outcome(e) is { } outcome)
        {
            metrics.Command(name, outcome);
            throw;
        }
    }

    private static string? Outcome(Exception e) => e switch
    {
        DomainException or ResourceNotFound or VersionMismatch or IdempotencyKeyReused => "rejected",
        ConcurrencyException or ExistingStreamIdCollisionException => "conflict",
        _ => null,
    };

    private async Task<CommandResult<T>> Decide<T>(Guid id, CommandRequest request, int successStatus,
        Func<ActionItem, long, DateTimeOffset, T> respond, string name, CancellationToken ct,
        CreateActionItem? create, ActionItemCommand? update)
    {
        using var activity = Telemetry.Source.StartActivity($"command {(create ?? update)!.GetType().Name}");
        activity?.SetTag("actiontracker.item.id", id);
        activity?.SetTag("enduser.id", request.Caller.Id);
        if (await Replay<T>(request, ct) is { } replayed)
        {
            activity?.SetTag("actiontracker.idempotent_replay", true);
            return replayed;
        }

        for (var attempt = 1; ; attempt++)
        {
            var now = time.Now();
            await using var outbox = sessions.Open(request.Metadata);
            var session = outbox.Session;
            ActionItem item;
            long version;
            if (create is not null)
            {
                var context = new DecisionContext(await teams.WithListedLeads(request.Caller, create.Team, ct), now, policy);
                var events = ActionItemDecider.Decide(null, create, context);
                item = await items.Start(session, outbox.Bus, id, events);
                version = events.Count;
            }
            else
            {
                // After a lost race the retry takes the stream's row lock first: it cannot lose again.
                var stream = attempt > 1
                    ? await session.Events.FetchForExclusiveWriting<ActionItem>(id, ct)
                    : await session.Events.FetchForWriting<ActionItem>(id, ct);
                if (stream.Aggregate is null)
                    throw new ResourceNotFound($"No action item {id}.");
                var current = stream.CurrentVersion ?? 0;
                if (request.IfMatch is { } expected && expected != current)
                    throw new VersionMismatch(expected, current);
                // Who leads the item's team decides what the caller may do (a move to another team included).
                var leading = await teams.WithListedLeads(request.Caller, stream.Aggregate.Team, ct);
                var events = ActionItemDecider.Decide(stream.Aggregate, update!, new DecisionContext(leading, now, policy));
                item = await items.Append(outbox.Bus, stream, events);
                version = current + events.Count;
            }

            var body = respond(item, version, now);
            var etag = $"\"{version}\"";
            if (request.IdempotencyKey is { } key)
                idempotency.Record(session.Sql(), request.Caller.Id, key, new StoredResponse(
                    request.Fingerprint, successStatus, null, etag, JsonSerializer.Serialize(body, Json)));
            try
            {
                await session.SaveChangesAsync(ct);
                return new CommandResult<T>(successStatus, body, etag);
            }
            catch (ConcurrencyException) when (request.IfMatch is { } expected)
            {
                throw new VersionMismatch(expected, expected + 1);
            }
            catch (ConcurrencyException) when (create is null && attempt < MaxAttempts)
            {
                activity?.AddEvent(new ActivityEvent("concurrency conflict; deciding again under the stream lock"));
                metrics.Conflict(name);
                // Lost the race: decide again against the new state, this time under the lock.
            }
            catch (Exception e) when (IsIdempotencyRace(e))
            {
                // The same key raced with itself: the other request won, return its response.
                return await Replay<T>(request, ct) ?? throw new InvalidOperationException("Idempotency record vanished.");
            }
        }
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
