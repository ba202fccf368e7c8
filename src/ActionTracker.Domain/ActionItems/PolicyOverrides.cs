namespace ActionTracker.Domain.ActionItems;

/// <summary>
/// The parts of the organisation's policy a team sets for itself; a part left null is the
/// organisation's, so a change of the organisation's policy reaches every part no team overrode.
/// </summary>
public sealed record PolicyOverrides
{
    public static PolicyOverrides None { get; } = new();

    public DueInOverrides DueIn { get; init; } = DueInOverrides.None;
    public TimeSpan? RemindBefore { get; init; }
    public IReadOnlyList<LadderStep>? Ladder { get; init; }
    public TimeSpan? QuietPeriod { get; init; }
    public bool? SkipWeekends { get; init; }
    public bool? PauseWhileBlocked { get; init; }

    /// <summary>The fields set, by their API names (<c>dueIn.critical</c>, <c>ladder</c>, ...), in the resource's order.</summary>
    public IReadOnlyList<string> SetFields() =>
    [
        .. DueIn.SetFields().Select(p => "dueIn." + p),
        .. RemindBefore is null ? Array.Empty<string>() : ["remindBefore"],
        .. Ladder is null ? Array.Empty<string>() : ["ladder"],
        .. QuietPeriod is null ? Array.Empty<string>() : ["quietPeriod"],
        .. SkipWeekends is null ? Array.Empty<string>() : ["skipWeekends"],
        .. PauseWhileBlocked is null ? Array.Empty<string>() : ["pauseWhileBlocked"],
    ];

    /// <summary>The fields whose values differ between two sets of overrides (a field set in one only counts).</summary>
    public static IReadOnlyList<string> Changed(PolicyOverrides before, PolicyOverrides after)
    {
        var changed = new List<string>();
        foreach (var priority in Enum.GetValues<Priority>())
            if (before.DueIn.For(priority) != after.DueIn.For(priority))
                changed.Add("dueIn." + priority.ToString().ToLowerInvariant());
        if (before.RemindBefore != after.RemindBefore) changed.Add("remindBefore");
        if (!SameLadder(before.Ladder, after.Ladder)) changed.Add("ladder");
        if (before.QuietPeriod != after.QuietPeriod) changed.Add("quietPeriod");
        if (before.SkipWeekends != after.SkipWeekends) changed.Add("skipWeekends");
        if (before.PauseWhileBlocked != after.PauseWhileBlocked) changed.Add("pauseWhileBlocked");
        return changed;
    }

    /// <summary>The due dates in force: the organisation's, with the team's priorities over them.</summary>
    public DueDatePolicy Over(DueDatePolicy organisation) => new(
        DueIn.Critical ?? organisation.Critical, DueIn.High ?? organisation.High,
        DueIn.Medium ?? organisation.Medium, DueIn.Low ?? organisation.Low);

    /// <summary>The ladder in force: the organisation's, with the team's parts over it, in the team's time zone.</summary>
    public EscalationPolicy Over(EscalationPolicy organisation, TimeZoneInfo zone) =>
        new(RemindBefore ?? organisation.RemindBefore, Ladder ?? organisation.Ladder)
        {
            QuietPeriod = QuietPeriod ?? organisation.QuietPeriod,
            SkipWeekends = SkipWeekends ?? organisation.SkipWeekends,
            PauseWhileBlocked = PauseWhileBlocked ?? organisation.PauseWhileBlocked,
            TimeZone = zone,
        };

    private static bool SameLadder(IReadOnlyList<LadderStep>? a, IReadOnlyList<LadderStep>? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Count == b.Count && a.Zip(b).All(p => p.First.After == p.Second.After && p.First.Notify.SequenceEqual(p.Second.Notify));
}

/// <summary>A team's due date per priority; null is the organisation's.</summary>
public sealed record DueInOverrides(TimeSpan? Critical = null, TimeSpan? High = null, TimeSpan? Medium = null, TimeSpan? Low = null)
{
    public static DueInOverrides None { get; } = new();

    public TimeSpan? For(Priority priority) => priority switch
    {
        Priority.Critical => Critical,
        Priority.High => High,
        Priority.Medium => Medium,
        Priority.Low => Low,
        _ => throw new ArgumentOutOfRangeException(nameof(priority)),
    };

    public DueInOverrides With(Priority priority, TimeSpan? dueIn) => priority switch
    {
        Priority.Critical => this with { Critical = dueIn },
        Priority.High => this with { High = dueIn },
        Priority.Medium => this with { Medium = dueIn },
        Priority.Low => this with { Low = dueIn },
        _ => throw new ArgumentOutOfRangeException(nameof(priority)),
    };

    /// <summary>The priorities set, by name.</summary>
    public IEnumerable<string> SetFields() => Enum.GetValues<Priority>().Where(p => For(p) is not null).Select(p => p.ToString().ToLowerInvariant());
}
