using System.Text.Json;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionTracker.Api.Policy;

/// <summary>
/// A team's policy: <c>GET/PUT/PATCH /api/teams/{team}/policy</c> and its history. Any team a
/// slug names has one (the organisation's, until its leads override a part of it).
/// </summary>
public static class TeamPolicyEndpoints
{
    public static IEndpointRouteBuilder MapTeamPolicies(this IEndpointRouteBuilder app)
    {
        var policy = app.MapGroup("/api/teams/{team}/policy").WithTags("Policies").RequireAuthorization()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status412PreconditionFailed);
        policy.MapGet("/", Get).WithName("GetTeamPolicy")
            .WithSummary("The team's policy in force (the organisation's with the team's overrides), the overrides, and the version (ETag).");
        policy.MapPut("/", (string team, JsonElement body, HttpContext http, TeamPolicies policies, TimeProvider time, CancellationToken ct) =>
                Save(team, body, merge: false, http, policies, time, ct))
            .WithName("PutTeamPolicy")
            .WithSummary("Replace the team's overrides with the fields given; the rest are the organisation's (leads of the team, admins; If-Match).");
        policy.MapPatch("/", (string team, JsonElement body, HttpContext http, TeamPolicies policies, TimeProvider time, CancellationToken ct) =>
                Save(team, body, merge: true, http, policies, time, ct))
            .WithName("PatchTeamPolicy")
            .WithSummary("Change the fields named; null removes an override (leads of the team, admins; If-Match: a stale version is 412).");
        policy.MapGet("/history", History).WithName("TeamPolicyHistory")
            .WithSummary("Every version of the team's policy, oldest first: actor, time, the fields that changed, the overrides it left.");
        return app;
    }

    private static async Task<Ok<TeamPolicyResponse>> Get(string team, HttpContext http, TeamPolicies policies, CancellationToken ct)
    {
        var rules = await policies.For(Slug(team), ct);
        http.Response.Headers.ETag = $"\"{rules.PolicyVersion}\"";
        return TypedResults.Ok(TeamPolicyResponse.From(rules));
    }

    private static async Task<Ok<TeamPolicyResponse>> Save(
        string team, JsonElement body, bool merge, HttpContext http, TeamPolicies policies, TimeProvider time, CancellationToken ct)
    {
        var rules = await policies.For(Slug(team), ct);
        var overrides = PolicyBody.Read(body, rules.Overrides, merge);
        var problems = PolicyRules.Problems(overrides.Over(policies.Organisation.DueDates), overrides.Over(policies.Organisation.Ladder, rules.Ladder.TimeZone));
        if (problems.Count > 0)
            throw new InvalidRequest(problems.ToDictionary(p => p.Key, p => new[] { p.Value }), "The policy has invalid fields.");

        var caller = rules.Know(http.User.ToCaller());
        if (!caller.IsAdmin && !caller.LeadsTeam(team))
            throw new NotPermitted($"Only leads of team '{team}' and admins may change its policy.{(caller.WhoLeads(team) is { } leads ? " " + leads : "")}");

        // Without If-Match a PATCH applies to the version just read: a concurrent change is a 412, not lost.
        var expected = CommandRequest.IfMatchOf(http) ?? (merge ? rules.PolicyVersion : null);
        var saved = await policies.Save(rules, overrides, caller.Id, expected, time.Now(), ct);
        var after = policies.Rules(team, rules.Leads, rules.Audience.EscalationContact, rules.Ladder.TimeZone, saved);
        http.Response.Headers.ETag = $"\"{saved.Version}\"";
        return TypedResults.Ok(TeamPolicyResponse.From(after));
    }

    private static async Task<Ok<TeamPolicyHistoryResponse>> History(string team, TeamPolicies policies, CancellationToken ct) =>
        TypedResults.Ok(new TeamPolicyHistoryResponse(team, [.. (await policies.History(Slug(team), ct)).Select(TeamPolicyChangeResponse.From)]));

    private static string Slug(string team) =>
        Names.IsTeamSlug(team) ? team : throw new InvalidRequest("team", $"The team is a slug: {Names.SlugRule}.");
}
