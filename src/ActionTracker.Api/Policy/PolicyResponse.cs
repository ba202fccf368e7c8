using System.Xml;
using ActionTracker.Api.ActionItems;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Policy;

/// <summary>The Policy resource of API.md: durations in ISO 8601 (<c>P7D</c>, <c>PT0S</c>).</summary>
public sealed record PolicyResponse(
    IReadOnlyDictionary<string, string> DueIn,
    string RemindBefore,
    IReadOnlyList<LadderStepResponse> Ladder,
    string QuietPeriod,
    bool SkipWeekends,
    bool PauseWhileBlocked)
{
    public static PolicyResponse From(DueDatePolicy dueDates, EscalationPolicy escalation) => new(
        Enum.GetValues<Priority>().ToDictionary(p => p.Name(), p => Iso(dueDates.DueIn(p))),
        Iso(escalation.RemindBefore),
        [.. escalation.Ladder.Select(s => new LadderStepResponse(Iso(s.After), s.Notify))],
        Iso(escalation.QuietPeriod),
        escalation.SkipWeekends,
        escalation.PauseWhileBlocked);

    public static string Iso(TimeSpan duration) => XmlConvert.ToString(duration);
}

public sealed record LadderStepResponse(string After, IReadOnlyList<string> Notify);
