using System.Text.Json.Serialization;
using ActionTracker.Api.ActionItems;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Policy;

/// <summary>A team's effective policy (the Policy resource), the parts it overrides, and its version.</summary>
public sealed record TeamPolicyResponse(
    string Team,
    long Version,
    IReadOnlyDictionary<string, string> DueIn,
    string RemindBefore,
    IReadOnlyList<LadderStepResponse> Ladder,
    string QuietPeriod,
    bool SkipWeekends,
    bool PauseWhileBlocked,
    PolicyOverridesResponse Overrides)
{
    public static TeamPolicyResponse From(TeamRules rules)
    {
        var policy = PolicyResponse.From(rules.DueDates, rules.Ladder);
        return new(rules.Team, rules.PolicyVersion, policy.DueIn, policy.RemindBefore, policy.Ladder, policy.QuietPeriod,
            policy.SkipWeekends, policy.PauseWhileBlocked, PolicyOverridesResponse.From(rules.Overrides));
    }
}

/// <summary>Only the fields a team set, in the Policy resource's shape.</summary>
public sealed record PolicyOverridesResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? DueIn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RemindBefore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LadderStepResponse>? Ladder,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? QuietPeriod,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? SkipWeekends,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? PauseWhileBlocked)
{
    public static PolicyOverridesResponse From(PolicyOverrides o)
    {
        var dueIn = Enum.GetValues<Priority>().Where(p => o.DueIn.For(p) is not null)
            .ToDictionary(p => p.Name(), p => PolicyResponse.Iso(o.DueIn.For(p)!.Value));
        return new(
            dueIn.Count == 0 ? null : dueIn,
            o.RemindBefore is { } remind ? PolicyResponse.Iso(remind) : null,
            o.Ladder?.Select(s => new LadderStepResponse(PolicyResponse.Iso(s.After), s.Notify)).ToList(),
            o.QuietPeriod is { } quiet ? PolicyResponse.Iso(quiet) : null,
            o.SkipWeekends,
            o.PauseWhileBlocked);
    }
}

/// <summary>One version of a team's policy: who, when, which fields changed, and the overrides it left.</summary>
public sealed record TeamPolicyChangeResponse(long Version, string Actor, DateTimeOffset At, IReadOnlyList<string> Fields, PolicyOverridesResponse Overrides)
{
    public static TeamPolicyChangeResponse From(TeamPolicyChange c) => new(c.Version, c.Actor, c.At, c.Fields, PolicyOverridesResponse.From(c.Overrides));
}

public sealed record TeamPolicyHistoryResponse(string Team, IReadOnlyList<TeamPolicyChangeResponse> Changes);
