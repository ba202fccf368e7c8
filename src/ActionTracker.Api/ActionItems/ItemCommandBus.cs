using System.Text.Json;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;
using Wolverine.Runtime;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// Where a request hands an item command to Wolverine: a retry under a recorded Idempotency-Key
/// gets the first answer without deciding again, the same key raced with itself gets the
/// winner's answer, and every outcome is counted and traced. Refusals (a rule, a stale If-Match,
/// no such item) are the exceptions ProblemMapping answers; none is retried.
/// </summary>
public sealed class ItemCommandBus(IWolverineRuntime wolverine, IdempotencyKeys idempotency, ServiceMetrics metrics, IOptions<JsonOptions> json)
{
    public async Task<CommandReply<T>> Send<T>(IItemRequest command, CancellationToken ct) where T : notnull
    {
        var name = command.Decision.GetType().Name;
        using var activity = Telemetry.Source.StartActivity($"command {name}");
        activity?.SetTag("actiontracker.item.id", command.ItemId);
        activity?.SetTag("enduser.id", command.Request.Caller.Id);
        try
        {
            var reply = await Replay<T>(command.Request, ct) ?? await Invoke<T>(command, ct);
            activity?.SetTag("actiontracker.idempotent_replay", reply.Replayed);
            metrics.Command(name, reply.Replayed ? "replayed" : "ok");
            return reply;
        }
        catch (Exception e) when (e is DomainException or ApiException)
        {
            metrics.Command(name, "rejected");
            throw;
        }
    }

    private async Task<CommandReply<T>> Invoke<T>(IItemRequest command, CancellationToken ct) where T : notnull
    {
        // A bus of its own per command: its correlation id is the request's, and every message the
        // handler schedules carries it.
        var bus = new MessageBus(wolverine) { CorrelationId = command.Request.Metadata.CorrelationId };
        try
        {
            var written = await bus.InvokeAsync<ItemWritten>(command, ct);
            return new CommandReply<T>((T)written.Body, written.ETag);
        }
        catch (Exception e) when (IsIdempotencyRace(e))
        {
            // The same key raced with itself: the other request won, answer with its response.
            return await Replay<T>(command.Request, ct) ?? throw new InvalidOperationException("Idempotency record vanished.");
        }
    }

    private static bool IsIdempotencyRace(Exception e)
    {
        // Marten may wrap PostgreSQL's refusal of the second record.
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: IdempotencyKeys.Constraint })
                return true;
        return false;
    }

    private async Task<CommandReply<T>?> Replay<T>(CommandRequest request, CancellationToken ct)
    {
        if (request.IdempotencyKey is not { } key || await idempotency.Find(request.Caller.Id, key, ct) is not { } stored)
            return null;
        if (stored.Fingerprint != request.Fingerprint)
            throw new IdempotencyKeyReused();
        return new CommandReply<T>(JsonSerializer.Deserialize<T>(stored.Body, json.Value.SerializerOptions)!, stored.ETag ?? "", Replayed: true);
    }
}
