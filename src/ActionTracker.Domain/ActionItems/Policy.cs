namespace ActionTracker.Domain.ActionItems;

/// <summary>
/// Due-date policy. Defaults are close to published corrective-action deadlines of large
/// operators; all of them come from configuration.
/// </summary>
public sealed record DueDatePolicy(TimeSpan Critical, TimeSpan High, TimeSpan Medium, TimeSpan Low)
{
    public static DueDatePolicy Default { get; } =
        new(TimeSpan.FromDays(7), TimeSpan.FromDays(30), TimeSpan.FromDays(60), TimeSpan.FromDays(90));

    public TimeSpan DueIn(Priority priority) => priority switch
    {
        Priority.Critical => Critical,
        Priority.High => High,
        Priority.Medium => Medium,
        Priority.Low => Low,
        _ => throw new ArgumentOutOfRangeException(nameof(priority)),
    };

    /// <summary>The furthest an owner may postpone to: twice the default, counted from creation.</summary>
    public DateTimeOffset LatestOwnerDueDate(Priority priority, DateTimeOffset createdAt) =>
        createdAt + 2 * DueIn(priority);
}

/// <summary>
/// Reminder and escalation ladder: a reminder <see cref="RemindBefore"/> the due date, level 1
/// (the owner) at the due date, levels 2 (leads) and 3 (escalation contact) after the given
/// time past it.
/// </summary>
public sealed record EscalationPolicy(TimeSpan RemindBefore, TimeSpan Level2After, TimeSpan Level3After)
{
    public static EscalationPolicy Default { get; } = new(TimeSpan.FromDays(2), TimeSpan.FromDays(3), TimeSpan.FromDays(7));

    /// <summary>
    /// At most one notification per item within this span: a reminder that falls in it is not
    /// sent, a level change is sent when it ends.
    /// </summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromDays(1);

    public const int MaxLevel = 3;
}

/// <summary>Everything a decision may depend on besides the state and the command.</summary>
public sealed record DecisionContext(Caller Caller, DateTimeOffset Now, DueDatePolicy Policy, EscalationPolicy? Escalation = null)
{
    public EscalationPolicy Ladder => Escalation ?? EscalationPolicy.Default;
}
