using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Policy;

/// <summary>
/// The organisation's policy as configuration gives it (<c>Policies:*</c>, durations in .NET's
/// <c>d.hh:mm:ss</c>). The ladder is a list (<c>Policies:Ladder:0:After</c>,
/// <c>Policies:Ladder:0:Notify:0</c>, ...); without one, the older keys
/// <c>Policies:EscalateAfter:Level2</c> and <c>Level3</c> make the three-step ladder they always meant.
/// </summary>
public sealed class PolicyOptions
{
    public DueInOptions DueIn { get; set; } = new();

    public TimeSpan RemindBefore { get; set; } = EscalationPolicy.Default.RemindBefore;

    public List<LadderStepOptions> Ladder { get; set; } = [];

    public EscalateAfterOptions EscalateAfter { get; set; } = new();

    public TimeSpan QuietPeriod { get; set; } = EscalationPolicy.Default.QuietPeriod;

    public bool SkipWeekends { get; set; }

    public bool PauseWhileBlocked { get; set; }

    /// <summary>The subjects a ladder step's <c>admins</c> target notifies.</summary>
    public List<string> Admins { get; set; } = [];

    public DueDatePolicy DueDates() => new(DueIn.Critical, DueIn.High, DueIn.Medium, DueIn.Low);

    public EscalationPolicy Escalation()
    {
        var ladder = Ladder.Count > 0
            ? Ladder.Select(s => new LadderStep(s.After, [.. s.Notify])).ToList()
            : EscalationPolicy.Levels(RemindBefore, EscalateAfter.Level2, EscalateAfter.Level3).Ladder;
        return new EscalationPolicy(RemindBefore, ladder)
        {
            QuietPeriod = QuietPeriod,
            SkipWeekends = SkipWeekends,
            PauseWhileBlocked = PauseWhileBlocked,
        };
    }
}

public sealed class DueInOptions
{
    public TimeSpan Critical { get; set; } = DueDatePolicy.Default.Critical;
    public TimeSpan High { get; set; } = DueDatePolicy.Default.High;
    public TimeSpan Medium { get; set; } = DueDatePolicy.Default.Medium;
    public TimeSpan Low { get; set; } = DueDatePolicy.Default.Low;
}

public sealed class LadderStepOptions
{
    public TimeSpan After { get; set; }

    public List<string> Notify { get; set; } = [];
}

public sealed class EscalateAfterOptions
{
    public TimeSpan Level2 { get; set; } = TimeSpan.FromDays(3);
    public TimeSpan Level3 { get; set; } = TimeSpan.FromDays(7);
}
