namespace ActionTracker.Domain.Tests;

/// <summary>The people in the specs. The item belongs to team "platform" and is owned by alice.</summary>
public static class Callers
{
    public const string Team = "platform";
    public const string OtherTeam = "payments";

    public static readonly Caller Owner = Caller.Create("alice", [Team], [Caller.MemberRole]);
    public static readonly Caller Member = Caller.Create("bob", [Team], [Caller.MemberRole]);
    public static readonly Caller Lead = Caller.Create("carol", [Team], [Caller.LeadRole]);
    public static readonly Caller LeadOfOtherTeam = Caller.Create("dave", [OtherTeam], [Caller.LeadRole]);
    public static readonly Caller Admin = Caller.Create("erin", [], [Caller.AdminRole]);
    public static readonly Caller Service = Caller.Create("postmortem-bot", [], [Caller.ServiceRole]);
    public static readonly Caller Outsider = Caller.Create("mallory", [OtherTeam], [Caller.MemberRole]);
    /// <summary>A member of another team who can own a platform item after a lead assigned it to them.</summary>
    public static readonly Caller OwnerFromOtherTeam = Caller.Create("frank", [OtherTeam], [Caller.MemberRole]);
}

/// <summary>Events of the one item the specs talk about, created ten days before <see cref="Spec.Now"/>.</summary>
public static class Item
{
    public static readonly Guid Id = Guid.Parse("0197d3b0-7f3e-7a61-9c1e-2f4c1b0e9d11");
    public static readonly DateTimeOffset CreatedAt = Spec.Now.AddDays(-10);
    public const string Title = "Version lock Flux";

    /// <summary>An instant of the item's past: <paramref name="days"/> after creation.</summary>
    public static DateTimeOffset Day(int days) => CreatedAt.AddDays(days);

    public static DateTimeOffset DefaultDue(Priority priority) => CreatedAt + DueDatePolicy.Default.DueIn(priority);

    public static ActionItemCreated Created(
        Priority priority = Priority.Medium, DateTimeOffset? dueAt = null, string owner = "alice", string team = Callers.Team) =>
        new(Id, Title, "Pin the GitOps component.", team, owner, priority, dueAt ?? DefaultDue(priority),
            new ItemSource("postmortem", "pm-2021-02-19-flux", "Flux unintended version update"), ["gitops"], "alice", CreatedAt);

    public static ActionItemStarted Started(int day = 1, string by = "alice") => new(Id, by, Day(day));
    public static ActionItemWorkStopped WorkStopped(int day = 2, string by = "alice") => new(Id, by, Day(day));
    public static ActionItemBlocked Blocked(int day = 2, string by = "alice") => new(Id, "Waiting for the vendor", by, Day(day));
    public static ActionItemUnblocked Unblocked(ItemStatus resumedAs, int day = 3, string by = "alice") => new(Id, resumedAs, by, Day(day));
    public static ActionItemCompleted Completed(int day = 4, string by = "alice") => new(Id, "Pinned in the Helm chart", by, Day(day));
    public static ActionItemCancelled Cancelled(int day = 4, string by = "carol") => new(Id, "Superseded by the migration", by, Day(day));
    public static ActionItemReopened Reopened(int day = 5, string by = "carol") => new(Id, "Came back", by, Day(day));

    public static ActionItemAssigned Assigned(string owner, string team = Callers.Team, string previousOwner = "alice",
        string previousTeam = Callers.Team, int day = 2, string by = "carol") =>
        new(Id, owner, team, previousOwner, previousTeam, by, Day(day));

    public static ActionItemDueDateChanged DueDateChanged(DateTimeOffset dueAt, DateTimeOffset previousDueAt, bool ownerPostponement,
        int day = 3, string by = "alice") =>
        new(Id, dueAt, previousDueAt, "Vendor is late", ownerPostponement, by, Day(day));

    public static ActionItemCommented Commented(int n, int day = 2, string by = "bob") =>
        new(Id, new Guid($"00000000-0000-0000-0000-{n:000000000000}"), $"Comment {n}", by, Day(day));

    /// <summary>The history of an item in <paramref name="status"/>.</summary>
    public static IActionItemEvent[] In(ItemStatus status, Priority priority = Priority.Medium) => status switch
    {
        ItemStatus.Open => [Created(priority)],
        ItemStatus.InProgress => [Created(priority), Started()],
        ItemStatus.Blocked => [Created(priority), Blocked()],
        ItemStatus.Done => [Created(priority), Started(), Completed()],
        ItemStatus.WontDo => [Created(priority), Cancelled()],
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
