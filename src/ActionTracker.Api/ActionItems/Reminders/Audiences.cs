using ActionTracker.Api.Policy;
using ActionTracker.Api.Teams;
using ActionTracker.Domain.ActionItems;
using Microsoft.Extensions.Options;

namespace ActionTracker.Api.ActionItems.Reminders;

/// <summary>Who a ladder step's targets are for a team, read when the step is taken (the team's current leads and contact).</summary>
public sealed class Audiences(TeamDirectory teams, IOptions<PolicyOptions> policies)
{
    public async Task<Audience> For(string team, CancellationToken ct) =>
        await teams.Find(team, ct) is { } found
            ? new Audience(found.Leads, found.EscalationContact, policies.Value.Admins)
            : new Audience([], null, policies.Value.Admins);
}
