namespace ActionTracker.Domain.ActionItems;

/// <summary>
/// The reminder and escalation ladder as pure functions of the state and the clock: when the
/// next step falls due, and which steps a check at a given instant records.
/// </summary>
public static class Deadlines
{
    /// <summary>When the next ladder step falls due, or null when there is none (finished item, top level).</summary>
    public static DateTimeOffset? NextCheck(ActionItem item, EscalationPolicy policy) =>
        item.IsTerminal
            ? null
            : item.EscalationLevel switch
            {
                0 when item.RemindedFor != item.DueAt => item.DueAt - policy.RemindBefore,
                0 => item.DueAt,
                1 => item.DueAt + policy.Level2After,
                2 => item.DueAt + policy.Level3After,
                _ => null,
            };

    /// <summary>
    /// The steps reached at <paramref name="now"/>. After downtime several levels may be due at
    /// once: each is recorded, so the history shows the ladder, and each level is a change
    /// worth a notification.
    /// </summary>
    public static IReadOnlyList<IActionItemEvent> Check(ActionItem item, DateTimeOffset now, EscalationPolicy policy, string by)
    {
        if (item.IsTerminal)
            return [];
        var events = new List<IActionItemEvent>();
        var level = item.EscalationLevel;
        if (level == 0 && now >= item.DueAt)
        {
            events.Add(new ActionItemOverdue(item.Id, item.DueAt, by, now));
            level = 1;
        }
        else if (level == 0 && item.RemindedFor != item.DueAt && now >= item.DueAt - policy.RemindBefore)
        {
            var quiet = item.LastNotifiedAt is { } last && now - last < policy.QuietPeriod;
            events.Add(new ActionItemDueSoon(item.Id, item.DueAt, !quiet, by, now));
        }
        if (level == 1 && now >= item.DueAt + policy.Level2After)
        {
            events.Add(new ActionItemEscalated(item.Id, item.DueAt, 2, by, now));
            level = 2;
        }
        if (level == 2 && now >= item.DueAt + policy.Level3After)
            events.Add(new ActionItemEscalated(item.Id, item.DueAt, 3, by, now));
        return events;
    }
}
