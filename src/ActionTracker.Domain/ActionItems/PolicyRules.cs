namespace ActionTracker.Domain.ActionItems;

/// <summary>What makes a policy invalid, field by field (the field names are the API's).</summary>
public static class PolicyRules
{
    public static IReadOnlyDictionary<string, string> Problems(DueDatePolicy dueDates, EscalationPolicy escalation)
    {
        var problems = new Dictionary<string, string>();
        foreach (var priority in Enum.GetValues<Priority>())
            if (dueDates.DueIn(priority) <= TimeSpan.Zero)
                problems[$"dueIn.{priority.ToString().ToLowerInvariant()}"] = "A due date is a positive duration after creation.";
        if (escalation.RemindBefore < TimeSpan.Zero)
            problems["remindBefore"] = "The reminder comes a duration of zero or more before the due date.";
        if (escalation.QuietPeriod < TimeSpan.Zero)
            problems["quietPeriod"] = "The quiet period is a duration of zero or more.";
        var ladder = escalation.Ladder;
        if (ladder.Count is < 1 or > EscalationPolicy.MaxSteps)
            problems["ladder"] = $"The ladder has 1 to {EscalationPolicy.MaxSteps} steps.";
        for (var i = 0; i < ladder.Count; i++)
        {
            var step = ladder[i];
            if (i == 0 && step.After != TimeSpan.Zero)
                problems[$"ladder[{i}].after"] = "The first step is taken when the item becomes overdue: PT0S.";
            else if (i > 0 && step.After <= ladder[i - 1].After)
                problems[$"ladder[{i}].after"] = "Each step comes strictly later than the one before it.";
            if (step.Notify.Count == 0)
                problems[$"ladder[{i}].notify"] = "A step notifies at least one target.";
            else if (step.Notify.FirstOrDefault(t => !NotifyTargets.IsValid(t)) is { } unknown)
                problems[$"ladder[{i}].notify"] = $"Unknown target '{unknown}': one of {string.Join(", ", NotifyTargets.Named)}, or person:<sub>.";
        }
        return problems;
    }
}
