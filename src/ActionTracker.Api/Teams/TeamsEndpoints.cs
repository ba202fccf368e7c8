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

/// <summary>The fields to change: those left out stay; an empty string clears name, escalation contact or notify URL.</summary>
public sealed record PatchTeamRequest(string? Name, string[]? Leads, string? EscalationContact, string? NotifyUrl, string? TimeZone);

public sealed record TeamHistoryResponse(string Team, IReadOnlyList<TeamDirectory.TeamChange> Changes);

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
            .WithSummary("Create or replace a team: leads (required; [] for none), escalation contact, notify URL, time zone; a field left out is cleared. Leads of the team and admins.");
        teams.MapGet("/{team}", Get).WithName("GetTeam").WithSummary("Read a team from the directory.");
        teams.MapPatch("/{team}", Patch).WithName("PatchTeam")
            .WithSummary("Change only the fields named (If-Match: a stale version is 412). Leads of the team and admins.");
        teams.MapGet("/{team}/history", async Task<Ok<TeamHistoryResponse>> (string team, TeamDirectory directory, CancellationToken ct) =>
            {
                var changes = await directory.History(team, ct);
                return changes.Count == 0 ? throw new ResourceNotFound($"No team '{team}' in the directory.") : TypedResults.Ok(new TeamHistoryResponse(team, changes));
            })
            .WithName("TeamHistory")
            .WithSummary("Every change of the team, oldest first: version, actor, time, the fields it changed and the team as it then was.");
        teams.MapPost("/{team}/notify-secret", async Task<Ok<NotifySecretResponse>> (string team, HttpContext http, TeamDirectory directory, CancellationToken ct) =>
            {
                var caller = await directory.WithListedLeads(http.User.ToCaller(), team, ct);
                if (!caller.IsAdmin && !caller.LeadsTeam(team))
                    throw new NotPermitted(OnlyLeads(caller, team));
                return TypedResults.Ok(new NotifySecretResponse(team, await directory.RotateSecret(team, ct)
                    ?? throw new ResourceNotFound($"Team '{team}' has no notify URL to sign for.")));
            })
            .WithName("RotateTeamNotifySecret")
            .WithSummary("A new key for the team's notifications (webhook-signature), shown once; the old one stops at once.");
        return app;
    }

    private static async Task<Ok<TeamResponse>> Patch(
        string team, PatchTeamRequest body, HttpContext http, TeamDirectory directory, AddressGuard guard, TimeProvider time, CancellationToken ct)
    {
        var current = await directory.Find(team, ct) ?? throw new ResourceNotFound($"No team '{team}' in the directory; create it with PUT.");
        var merged = new PutTeamRequest(
            body.Name is null ? current.Name : body.Name.Length == 0 ? null : body.Name,
            body.Leads ?? [.. current.Leads],
            body.EscalationContact is null ? current.EscalationContact : body.EscalationContact.Length == 0 ? null : body.EscalationContact,
            body.NotifyUrl is null ? current.NotifyUrl : body.NotifyUrl.Length == 0 ? null : body.NotifyUrl,
            body.TimeZone ?? current.TimeZone);
        // Without If-Match the change applies to the version just read: a concurrent change is a 412, not lost.
        var result = await Save(team, merged, http, directory, guard, time, ActionItems.CommandRequest.IfMatchOf(http) ?? current.Version, ct);
        return TypedResults.Ok(result.Response);
    }

    private static async Task<Results<Ok<TeamResponse>, Created<TeamResponse>>> Put(
        string team, PutTeamRequest body, HttpContext http, TeamDirectory directory, AddressGuard guard, TimeProvider time, CancellationToken ct)
    {
        // PUT replaces the team, and a team whose leads list is empty is led by any lead role with
        // the team: a PUT that forgot the list must not hand the team over, so it is refused.
        var (response, created) = await Save(team, body, http, directory, guard, time, ActionItems.CommandRequest.IfMatchOf(http), ct, leadsRequired: true);
        return created ? TypedResults.Created($"/api/teams/{team}", response) : TypedResults.Ok(response);
    }

    private static async Task<(TeamResponse Response, bool Created)> Save(
        string team, PutTeamRequest body, HttpContext http, TeamDirectory directory, AddressGuard guard, TimeProvider time, long? expectedVersion,
        CancellationToken ct, bool leadsRequired = false)
    {
        var errors = new Dictionary<string, string[]>();
        if (leadsRequired && body.Leads is null)
            errors["leads"] = ["The leads are required: PUT replaces the whole team (send [] for none). To change only some fields, use PATCH."];
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

        var caller = await directory.WithListedLeads(http.User.ToCaller(), team, ct);
        if (!caller.IsAdmin && !caller.LeadsTeam(team))
            throw new NotPermitted(OnlyLeads(caller, team));

        var (saved, created, secret) = await directory.Save(
            new Team(team, body.Name?.Trim(), leads, body.EscalationContact?.Trim(), body.NotifyUrl, timeZone, time.Now(), 0), caller.Id, expectedVersion, ct);
        http.Response.Headers.ETag = $"\"{saved.Version}\"";
        return (TeamResponse.From(saved, secret), created);
    }

    private static string OnlyLeads(Caller caller, string team) =>
        $"Only leads of team '{team}' and admins may change it.{(caller.WhoLeads(team) is { } leads ? " " + leads : "")}";

    private static async Task<Ok<TeamResponse>> Get(string team, HttpContext http, TeamDirectory directory, CancellationToken ct)
    {
        var found = await directory.Find(team, ct) ?? throw new ResourceNotFound($"No team '{team}' in the directory.");
        http.Response.Headers.ETag = $"\"{found.Version}\"";
        return TypedResults.Ok(TeamResponse.From(found));
    }
}
