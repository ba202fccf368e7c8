using ActionTracker.Api.Policy;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// What a decision on an item of a team depends on besides the item: who leads the team, whom
/// its ladder notifies, the team's policy in force, the time.
/// </summary>
public sealed class DecisionContexts(TeamPolicies policies, TimeProvider time)
{
    public async Task<DecisionContext> For(Caller caller, string team, CancellationToken ct) =>
        (await policies.For(team, ct)).ContextFor(caller, time.Now());
}
