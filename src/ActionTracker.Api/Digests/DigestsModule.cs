using ActionTracker.Api.Infrastructure.Schema;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Reports;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Domain;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.Digests;

public sealed record DigestRun(IReadOnlyList<DigestRunTeam> Teams);

public sealed record DigestRunTeam(string Team, string Week, bool Published);

public static class DigestsModule
{
    public static IServiceCollection AddDigests(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new DigestOptions();
        configuration.GetSection("Digest").Bind(options);
        services.AddSingleton(options);
        services.AddMigrations<DigestSchema>();
        services.AddSingleton<DigestBuilder>();
        // The digest lists each team's items postponed last week: without this it would read
        // every due-date change of the store once per team.
        services.AddEventsTableIndex(DigestBuilder.DueDateChangesIndex,
            store => $"(timestamp) where {EventsTableIndex.TypeIn(store, typeof(Domain.ActionItems.ActionItemDueDateChanged))}");
        services.AddSingleton<DigestPublisher>();
        services.AddHostedService<DigestCheckStarter>();
        services.ConfigureMarten(o => o.Events.AddEventType(typeof(WeeklyDigestPublished)));
        services.AddMessageHandlers(typeof(CheckWeeklyDigestsHandler));
        return services;
    }

    public static IEndpointRouteBuilder MapDigests(this IEndpointRouteBuilder app)
    {
        var digests = app.MapGroup("/api/digests/weekly").WithTags("Digests").RequireAuthorization()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);

        digests.MapGet("/latest", (HttpContext http, DigestPublisher publisher, string? team, CancellationToken ct) => Read(http, publisher, null, team, ct))
            .WithName("LatestWeeklyDigest")
            .WithSummary("The latest weekly digest: one team with ?team=, else the caller's teams (all teams for admins). Accept: text/html gives a page.")
            .Produces<Digest>().Produces(StatusCodes.Status200OK, contentType: "text/html");

        digests.MapGet("/{isoWeek}", (HttpContext http, DigestPublisher publisher, string isoWeek, string? team, CancellationToken ct) =>
            {
                if (!IsoWeeks.TryParse(isoWeek, out _))
                    throw new InvalidRequest("isoWeek", "An ISO week such as 2026-W48.");
                return Read(http, publisher, isoWeek, team, ct);
            })
            .WithName("WeeklyDigest")
            .WithSummary("The weekly digest of an ISO week (2026-W48); 404 when none was built.")
            .Produces<Digest>().Produces(StatusCodes.Status200OK, contentType: "text/html");

        digests.MapPost("/run", async Task<Ok<DigestRun>> (HttpContext http, DigestPublisher publisher, Teams.TeamDirectory teams, TimeProvider time, CancellationToken ct) =>
            {
                var now = time.Now();
                var results = new List<DigestRunTeam>();
                foreach (var team in await teams.WithItemsOrRegistered(ct))
                {
                    var (published, week) = await publisher.Publish(team, now, ct);
                    results.Add(new DigestRunTeam(team.Slug, week, published));
                }
                return TypedResults.Ok(new DigestRun(results));
            })
            .RequireAuthorization(Policies.Admin)
            .WithName("RunWeeklyDigest")
            .WithSummary("Build and send this week's digest of every team now (admins); a team already sent this week is skipped.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<IResult> Read(HttpContext http, DigestPublisher publisher, string? week, string? team, CancellationToken ct)
    {
        if (team is not null && !Names.IsTeamSlug(team))
            throw new InvalidRequest("team", $"The team is a slug: {Names.SlugRule}.");
        var caller = http.User.ToCaller();
        IReadOnlyCollection<string>? filter = team is not null ? [team] : DigestPublisher.TeamsOf(caller);
        var found = await publisher.List(week, filter, ct);
        if (found.Count == 0)
            throw new ResourceNotFound(week is null ? "No weekly digest has been built yet." : $"No weekly digest for {week}.");
        var digest = new Digest(found[0].Week, found.Max(d => d.GeneratedAt), found);
        var html = http.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
        return html ? TypedResults.Content(DigestHtml.Render(digest), "text/html; charset=utf-8") : TypedResults.Ok(digest);
    }
}
