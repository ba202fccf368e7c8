namespace ActionTracker.Domain.ActionItems;

/// <summary>
/// The reminder and escalation ladder as pure functions of the state, the policy and the clock:
/// when the next step falls due, and which steps a check at a given instant records. The ladder
/// is a list (<see cref="EscalationPolicy.Ladder"/>): level <em>n</em> is its step <em>n</em>.
/// </summary>
public static class Deadlines
{
    /// <summary>When the next ladder step falls due, or null when there is none (finished, paused while blocked, top of the ladder).</summary>
    public static DateTimeOffset? NextCheck(ActionItem item, EscalationPolicy policy)
    {
        if (item.IsTerminal || Paused(item, policy))
            return null;
        if (item.EscalationLevel == 0 && item.RemindedFor != item.DueAt && ReminderAt(item, policy) < StepAt(item, policy, 1))
            return ReminderAt(item, policy);
        return item.EscalationLevel < policy.Steps ? StepAt(item, policy, item.EscalationLevel + 1) : null;
    }

    /// <summary>
    /// When level <paramref name="level"/> falls due for this item: its step's time past the due
    /// date, later by the time the item was blocked when the ladder pauses, moved off a weekend
    /// when it skips them.
    /// </summary>
    public static DateTimeOffset StepAt(ActionItem item, EscalationPolicy policy, int level)
    {
        var at = item.DueAt + policy.Ladder[level - 1].After + (policy.PauseWhileBlocked ? item.BlockedFor : TimeSpan.Zero);
        return policy.SkipWeekends ? Weekends.Skip(at, policy.TimeZone) : at;
    }

    /// <summary>
    /// The steps reached at <paramref name="now"/>. After downtime several levels may be due at
    /// once: each is recorded, so the history shows the ladder, and each level is a change
    /// worth a notification. Each names the subjects it notified, as they were at that moment.
    /// </summary>
    public static IReadOnlyList<IActionItemEvent> Check(ActionItem item, DateTimeOffset now, EscalationPolicy policy, Audience audience, string by)
    {
        if (item.IsTerminal || Paused(item, policy) || policy.Steps == 0)
            return [];
        var level = item.EscalationLevel;
        if (level == 0 && now < StepAt(item, policy, 1))
        {
            if (item.RemindedFor == item.DueAt || now < ReminderAt(item, policy))
                return [];
            var quiet = item.LastNotifiedAt is { } last && now - last < policy.QuietPeriod;
            return [new ActionItemDueSoon(item.Id, item.DueAt, !quiet, by, now)];
        }
        var events = new List<IActionItemEvent>();
        while (level < policy.Steps && now >= StepAt(item, policy, level + 1))
        {
            level++;
            var notified = Notified(item, policy, audience, level);
            events.Add(level == 1
                ? new ActionItemOverdue(item.Id, item.DueAt, by, now, notified)
                : new ActionItemEscalated(item.Id, item.DueAt, level, by, now, notified));
        }
        return events;
    }

    /// <summary>
    /// Whom level <paramref name="level"/> notifies: its step's targets, or, when they name
    /// nobody (a team without leads or escalation contact), the step below's, down to the owner:
    /// the ladder never escalates into silence.
    /// </summary>
    public static IReadOnlyList<string> Notified(ActionItem item, EscalationPolicy policy, Audience audience, int level)
    {
        for (var step = level; step >= 1; step--)
            if (audience.Resolve(policy.Ladder[step - 1].Notify, item) is { Count: > 0 } subjects)
                return subjects;
        return [item.Owner];
    }

    private static DateTimeOffset ReminderAt(ActionItem item, EscalationPolicy policy) => item.DueAt - policy.RemindBefore;

    private static bool Paused(ActionItem item, EscalationPolicy policy) => policy.PauseWhileBlocked && item.Status == ItemStatus.Blocked;
}
