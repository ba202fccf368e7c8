using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using ActionTracker.EventStore.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.Operations;

public sealed record DeadLetters(IReadOnlyList<ScheduledMessageInfo> Messages);

/// <summary>Operator endpoints, admins only.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Operations").RequireAuthorization(Policies.Admin)
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        admin.MapGet("/scheduled/dead", async Task<Ok<DeadLetters>> (ScheduledWork work, int? limit, CancellationToken ct) =>
                TypedResults.Ok(new DeadLetters(await work.DeadLetters(Math.Clamp(limit ?? 100, 1, 500), ct))))
            .WithName("ListDeadScheduledMessages")
            .WithSummary("Scheduled messages that failed every attempt, newest first.");

        admin.MapPost("/scheduled/{id:long}/retry", async Task<NoContent> (long id, ScheduledWork work, CancellationToken ct) =>
                await work.Retry(id, ct) ? TypedResults.NoContent() : throw new ResourceNotFound($"No dead scheduled message {id}."))
            .WithName("RetryDeadScheduledMessage")
            .WithSummary("Put a dead-lettered scheduled message back in line, due now.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/projections", async Task<Ok<IReadOnlyList<ProjectionStatus>>> (ProjectionRebuilds rebuilds, CancellationToken ct) =>
                TypedResults.Ok(await rebuilds.Statuses(ct)))
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
