using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Policy;

/// <summary>
/// What decisions on a team's items go by, read together when they are made: who leads the team
/// (its registered list; empty when not registered or listing none), whom its ladder notifies,
/// and the policy in force (the organisation's with the team's overrides, in the team's zone).
/// </summary>
public sealed record TeamRules(
    string Team,
    IReadOnlyList<string> Leads,
    DueDatePolicy DueDates,
    EscalationPolicy Ladder,
    Audience Audience,
    PolicyOverrides Overrides,
    long PolicyVersion)
{
    /// <summary>The caller, knowing the team's leads list when it has one: that list, not a lead role, decides who leads it.</summary>
    public Caller Know(Caller caller) => Leads.Count == 0 ? caller : caller.WithListedLeads([(Team, Leads.ToArray())]);

    public DecisionContext ContextFor(Caller caller, DateTimeOffset now) =>
        new(Know(caller), now, DueDates, Ladder, Audience);
}
