using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Policy;

/// <summary>A team's policy as it is now: the parts it overrides, and its version (the ETag).</summary>
public sealed record TeamPolicyRecord(string Id, long Version, PolicyOverrides Overrides, string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>
/// One version of a team's policy, kept for its history. Its id is the team and the version, so
/// two writers of the same next version collide on it: the loser's change is refused whole.
/// </summary>
public sealed record TeamPolicyChange(string Id, string Team, long Version, string Actor, DateTimeOffset At,
    IReadOnlyList<string> Fields, PolicyOverrides Overrides)
{
    public static string IdOf(string team, long version) => $"{team}/{version}";
}
