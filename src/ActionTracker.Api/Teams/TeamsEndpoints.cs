using ActionTracker.Api.Infrastructure.Schema;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.Teams;

public sealed record PutTeamRequest(string? Name, string[]? Leads, string? EscalationContact, string? NotifyUrl, string? TimeZone);

/// <param name="NotifySecret">The key notifications are signed with: only in the response that issued it.</param>
public sealed record TeamResponse(string Team, string? Name, IReadOnlyList<string> Leads, string? EscalationContact, string? NotifyUrl,
    string TimeZone, DateTimeOffset UpdatedAt, long Version,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? NotifySecret = null)
{
    public static TeamResponse From(Team t, string? secret = null) =>
        new(t.Slug, t.Name, t.Leads, t.EscalationContact, t.NotifyUrl, t.TimeZone, t.UpdatedAt, t.Version, secret);
}

public sealed record NotifySecretResponse(string Team, string NotifySecret);

public static class TeamsEndpoints
{
    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        services.AddMigrations<TeamsSchema>();
        // When a team nobody registered was first named (an item created in it or moved to it).
        services.AddEventsTableIndex(TeamDirectory.FirstSeenIndex, store => $"((data->>'team'), timestamp) where {TeamDirectory.Named(store)}");
        services.AddSingleton<TeamDirectory>();
        return services;
    }

    public static IEndpointRouteBuilder MapTeams(this IEndpointRouteBuilder app)
    {
        var teams = app.MapGroup("/api/teams").WithTags("Teams").RequireAuthorization()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        teams.MapPut("/{team}", Put).WithName("PutTeam")
            .WithSummary("Create or replace a team: leads, escalation contact, notify URL, time zone. Leads of the team and admins.");
        teams.MapGet("/{team}", Get).WithName("GetTeam").WithSummary("Read a team from the directory.");
        teams.MapPost("/{team}/notify-secret", async Task<Ok<NotifySecretResponse>> (string team, HttpContext http, TeamDirectory directory, CancellationToken ct) =>
            {
                var caller = http.User.ToCaller();
                if (!caller.IsAdmin && !caller.LeadsTeam(team))
                    throw new NotPermitted($"Only leads of team '{team}' and admins may change it.");
                return TypedResults.Ok(new NotifySecretResponse(team, await directory.RotateSecret(team, ct)
                    ?? throw new ResourceNotFound($"Team '{team}' has no notify URL to sign for.")));
            })
            .WithName("RotateTeamNotifySecret")
            .WithSummary("A new key for the team's notifications (webhook-signature), shown once; the old one stops at once.");
        return app;
    }

    private static async Task<Results<Ok<TeamResponse>, Created<TeamResponse>>> Put(
        string team, PutTeamRequest body, HttpContext http, TeamDirectory directory, AddressGuard guard, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Names.IsTeamSlug(team))
            errors["team"] = [$"The team is a slug: {Names.SlugRule}."];
        if (body.Name is { Length: > 200 })
            errors["name"] = ["The name has at most 200 characters."];
        var leads = (body.Leads ?? []).Select(l => l?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToArray();
        if (leads.Length > 50 || leads.Any(l => !Names.IsUserId(l)))
            errors["leads"] = ["Leads are at most 50 user ids."];
        if (body.EscalationContact is { } contact && !Names.IsUserId(contact))
            errors["escalationContact"] = ["The escalation contact is a user id."];
        if (body.NotifyUrl is { } url && await guard.Check(url, ct) is { } urlError)
            errors["notifyUrl"] = [urlError];
        var timeZone = body.TimeZone ?? "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) || !zone.HasIanaId && timeZone != "UTC")
            errors["timeZone"] = ["The time zone is an IANA id such as Europe/Berlin."];
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        var caller = http.User.ToCaller();
        if (!caller.IsAdmin && !caller.LeadsTeam(team))
            throw new NotPermitted($"Only leads of team '{team}' and admins may change it.");

        var (saved, created, secret) = await directory.Save(
            new Team(team, body.Name?.Trim(), leads, body.EscalationContact?.Trim(), body.NotifyUrl, timeZone, time.Now(), 0), ct);
        var response = TeamResponse.From(saved, secret);
        http.Response.Headers.ETag = $"\"{saved.Version}\"";
        return created ? TypedResults.Created($"/api/teams/{team}", response) : TypedResults.Ok(response);
    }

    private static async Task<Ok<TeamResponse>> Get(string team, HttpContext http, TeamDirectory directory, CancellationToken ct)
    {
        var found = await directory.Find(team, ct) ?? throw new ResourceNotFound($"No team '{team}' in the directory.");
        http.Response.Headers.ETag = $"\"{found.Version}\"";
        return TypedResults.Ok(TeamResponse.From(found));
    }
}
