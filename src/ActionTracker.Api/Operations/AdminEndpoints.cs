using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using Wolverine.Runtime;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.Operations;

/// <summary>A message that failed every attempt, as Wolverine's dead-letter store keeps it.</summary>
public sealed record DeadLetter(Guid Id, string Type, int Attempts, string? LastError, string? ExceptionType, DateTimeOffset? DeadAt, bool Replayable);

public sealed record DeadLetters(IReadOnlyList<DeadLetter> Messages);

/// <summary>A list wrapped in an object, like every other list of the API.</summary>
public sealed record ProjectionList(IReadOnlyList<ProjectionStatus> Projections);

/// <summary>Operator endpoints, admins only.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Operations").RequireAuthorization(Policies.Admin)
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        admin.MapGet("/scheduled/dead", async Task<Ok<DeadLetters>> (IWolverineRuntime runtime, int? limit, CancellationToken ct) =>
            {
                var found = await runtime.Storage.DeadLetters.QueryAsync(
                    new DeadLetterEnvelopeQuery { PageSize = Math.Clamp(limit ?? 100, 1, 500), Replayable = false }, ct);
                return TypedResults.Ok(new DeadLetters([.. found.Envelopes.OrderByDescending(d => d.SentAt).Select(d => new DeadLetter(
                    d.Id, d.MessageType, d.Envelope.Attempts, d.ExceptionMessage, d.ExceptionType, d.FailedAt ?? d.SentAt, d.Replayable))]));
            })
            .WithName("ListDeadScheduledMessages")
            .WithSummary("Messages (deadline checks, digests, team notifications) that failed every attempt, newest first.");

        admin.MapPost("/scheduled/{id:guid}/retry", async Task<NoContent> (Guid id, IWolverineRuntime runtime, CancellationToken ct) =>
            {
                if (await runtime.Storage.DeadLetters.DeadLetterEnvelopeByIdAsync(id) is not { Replayable: false })
                    throw new ResourceNotFound($"No dead-lettered message {id}.");
                // Marked for replay: the durability agent puts it back in line at its next poll.
                await runtime.Storage.DeadLetters.ReplayAsync(new DeadLetterEnvelopeQuery([id]), ct);
                return TypedResults.NoContent();
            })
            .WithName("RetryDeadScheduledMessage")
            .WithSummary("Put a dead-lettered message back in line.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/projections", async Task<Ok<ProjectionList>> (ProjectionRebuilds rebuilds, CancellationToken ct) =>
                TypedResults.Ok(new ProjectionList(await rebuilds.Statuses(ct))))
            .WithName("ListProjections")
            .WithSummary("Each async projection's checkpoint, version and rebuild progress.");

        admin.MapPost("/projections/{name}/rebuild", async Task<Accepted> (string name, ProjectionRebuilds rebuilds, CancellationToken ct) =>
            {
                if (!rebuilds.Knows(name))
                    throw new ResourceNotFound($"No projection '{name}'.");
                await rebuilds.Request(name, ct);
                return TypedResults.Accepted($"/api/admin/projections");
            })
            .WithName("RebuildProjection")
            .WithSummary("Rebuild a projection from the events, on the replica that runs it; follow it in the list.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
