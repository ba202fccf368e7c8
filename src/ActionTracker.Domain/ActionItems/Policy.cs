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

/// <summary>One rung of the escalation ladder: <see cref="After"/> the due date, notify <see cref="Notify"/> (<see cref="NotifyTargets"/>).</summary>
public sealed record LadderStep(TimeSpan After, IReadOnlyList<string> Notify);

/// <summary>
/// Reminder and escalation ladder as data: a reminder <see cref="RemindBefore"/> the due date,
/// then step <em>n</em> of <see cref="Ladder"/> is escalation level <em>n</em>, taken
/// <see cref="LadderStep.After"/> past the due date (the first step's is zero: overdue). Any
/// number of steps from 1 to <see cref="MaxSteps"/>; no code names a level.
/// </summary>
public sealed record EscalationPolicy(TimeSpan RemindBefore, IReadOnlyList<LadderStep> Ladder)
{
    public const int MaxSteps = 10;

    public static EscalationPolicy Default { get; } = Levels(TimeSpan.FromDays(2), TimeSpan.FromDays(3), TimeSpan.FromDays(7));

    /// <summary>The ladder of three levels that configuration used to name (owner, leads, escalation contact).</summary>
    public static EscalationPolicy Levels(TimeSpan remindBefore, TimeSpan level2After, TimeSpan level3After) => new(remindBefore,
    [
        new(TimeSpan.Zero, [NotifyTargets.Owner]),
        new(level2After, [NotifyTargets.Leads]),
        new(level3After, [NotifyTargets.EscalationContact]),
    ]);

    /// <summary>
    /// At most one notification per item within this span: a reminder that falls in it is not
    /// sent, a level change is sent when it ends.
    /// </summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromDays(1);

    /// <summary>A ladder step that falls on a Saturday or Sunday in <see cref="TimeZone"/> moves to the Monday after, at the same local time.</summary>
    public bool SkipWeekends { get; init; }

    /// <summary>A blocked item takes no step; its remaining steps move later by the time it was blocked.</summary>
    public bool PauseWhileBlocked { get; init; }

    /// <summary>The zone the team's weekends are in.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    public int Steps => Ladder.Count;
}

/// <summary>Whom a ladder step may notify.</summary>
public static class NotifyTargets
{
    public const string Owner = "owner";
    public const string Leads = "leads";
    public const string EscalationContact = "escalationContact";
    public const string Admins = "admins";
    public const string PersonPrefix = "person:";

    public static IReadOnlyList<string> Named { get; } = [Owner, Leads, EscalationContact, Admins];

    public static bool IsValid(string target) =>
        Named.Contains(target) || (target.StartsWith(PersonPrefix, StringComparison.Ordinal) && Names.IsUserId(target[PersonPrefix.Length..]));
}

/// <summary>Who the targets of a ladder step are for one item's team, looked up when the step is taken.</summary>
public sealed record Audience(IReadOnlyList<string> Leads, string? EscalationContact, IReadOnlyList<string> Admins)
{
    public static Audience Nobody { get; } = new([], null, []);

    /// <summary>The subjects the targets name for <paramref name="item"/>, each once, in the order named.</summary>
    public IReadOnlyList<string> Resolve(IEnumerable<string> targets, ActionItem item) =>
        [.. targets.SelectMany(target => target switch
        {
            NotifyTargets.Owner => [item.Owner],
            NotifyTargets.Leads => Leads,
            NotifyTargets.EscalationContact => EscalationContact is { } contact ? [contact] : [],
            NotifyTargets.Admins => Admins,
            _ when target.StartsWith(NotifyTargets.PersonPrefix, StringComparison.Ordinal) => [target[NotifyTargets.PersonPrefix.Length..]],
            _ => Array.Empty<string>(),
        }).Distinct()];
}

/// <summary>Everything a decision may depend on besides the state and the command.</summary>
public sealed record DecisionContext(Caller Caller, DateTimeOffset Now, DueDatePolicy Policy, EscalationPolicy? Escalation = null, Audience? Audience = null)
{
    public EscalationPolicy Ladder => Escalation ?? EscalationPolicy.Default;

    /// <summary>Whom the ladder's targets name; nobody beyond the owner when not looked up.</summary>
    public Audience Notified => Audience ?? Audience.Nobody;

    /// <summary>
    /// The due date an item created now gets without one: the priority's span, moved off a
    /// weekend in the team's zone when the team's ladder skips weekends.
    /// </summary>
    public DateTimeOffset DefaultDueAt(Priority priority)
    {
        var at = Now + Policy.DueIn(priority);
        return Ladder.SkipWeekends ? Weekends.Skip(at, Ladder.TimeZone) : at;
    }
}
