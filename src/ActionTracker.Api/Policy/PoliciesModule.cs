using ActionTracker.Domain.ActionItems;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ActionTracker.Api.Policy;

public static class PoliciesModule
{
    /// <summary>
    /// The organisation's policy from configuration (<c>Policies:*</c>), refused at start when
    /// invalid, and each team's overrides on Marten.
    /// </summary>
    public static IServiceCollection AddPolicies(this IServiceCollection services)
    {
        services.AddOptions<PolicyOptions>().BindConfiguration("Policies")
            .Validate(o => PolicyRules.Problems(o.DueDates(), o.Escalation()).Count == 0,
                "Policies: the organisation's policy is invalid (see GET /api/policy's rules in API.md)")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PolicyOptions>>().Value.DueDates());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PolicyOptions>>().Value.Escalation());
        services.ConfigureMarten(options =>
        {
            options.Schema.For<TeamPolicyRecord>().DocumentAlias(TeamPolicies.RecordAlias);
            options.Schema.For<TeamPolicyChange>().DocumentAlias(TeamPolicies.ChangeAlias).Duplicate(c => c.Team, notNull: true);
        });
        services.AddSingleton<TeamPolicies>();
        return services;
    }

    public static IEndpointRouteBuilder MapPolicies(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/policy", Ok<PolicyResponse> (TeamPolicies policies) =>
                TypedResults.Ok(PolicyResponse.From(policies.Organisation.DueDates, policies.Organisation.Ladder)))
            .WithTags("Policies")
            .RequireAuthorization()
            .WithName("GetPolicy")
            .WithSummary("The organisation's policy: default due dates per priority, the reminder, the escalation ladder.");
        app.MapTeamPolicies();
        return app;
    }
}
