using ActionTracker.Api.Teams;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems;

/// <summary>What a decision on an item of a team depends on besides the item: who leads the team, the time, the policy.</summary>
public sealed class DecisionContexts(TeamDirectory teams, TimeProvider time, DueDatePolicy policy)
{
    public async Task<DecisionContext> For(Caller caller, string team, CancellationToken ct) =>
        new(await teams.WithListedLeads(caller, team, ct), time.Now(), policy);
}
