using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>
/// The ladder as a list of steps: any number of levels, each notifying whom its targets name when
/// it is taken; weekends skipped in the team's time zone; a pause while the item is blocked; a
/// policy changed between two steps. The item is due on Tuesday 2026-12-01 at 15:00 UTC.
/// </summary>
public sealed class ClimbingALadderAsData
{
    private static readonly Guid Id = Item.Id;
    private static readonly DateTimeOffset Due = new(2026, 12, 1, 15, 0, 0, TimeSpan.Zero);
    private static readonly Caller Scheduler = Caller.Create("scheduler", [], [Caller.ServiceRole]);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private static readonly Audience Platform = new(["carol", "cathy"], "victor", ["erin"]);

    /// <summary>Five steps: the owner, the leads, the contact, the contact with the admins, then one named person.</summary>
    private static readonly EscalationPolicy FiveSteps = new(TimeSpan.FromDays(2),
    [
        new(TimeSpan.Zero, ["owner"]),
        new(TimeSpan.FromDays(1), ["leads"]),
        new(TimeSpan.FromDays(3), ["escalationContact"]),
        new(TimeSpan.FromDays(5), ["escalationContact", "admins"]),
        new(TimeSpan.FromDays(8), ["person:vp-eng"]),
    ]);

    private static ActionItem Fold(params IActionItemEvent[] events) => ActionItem.Fold(events)!;

    private static IActionItemEvent[] Climb(ActionItem item, EscalationPolicy policy, Audience audience)
    {
        var steps = new List<IActionItemEvent>();
        while (Deadlines.NextCheck(item, policy) is { } next)
        {
            Assert.Empty(Deadlines.Check(item, next - Tick, policy, audience, "scheduler"));
            var events = Deadlines.Check(item, next, policy, audience, "scheduler");
            Assert.Single(events);
            steps.AddRange(events);
            item = events.Aggregate(item, ActionItem.Evolve);
            Assert.True(steps.Count <= EscalationPolicy.MaxSteps + 1, "The ladder does not end.");
        }
        return [.. steps];
    }

    [Fact]
    public void a_five_step_ladder_is_climbed_to_its_top_each_step_once_naming_whom_it_notified()
    {
        var steps = Climb(Fold(Item.Created(dueAt: Due)), FiveSteps, Platform);

        Assert.Equal(
            Describe(
            [
                new ActionItemDueSoon(Id, Due, true, "scheduler", Due.AddDays(-2)),
                new ActionItemOverdue(Id, Due, "scheduler", Due, ["alice"]),
                new ActionItemEscalated(Id, Due, 2, "scheduler", Due.AddDays(1), ["carol", "cathy"]),
                new ActionItemEscalated(Id, Due, 3, "scheduler", Due.AddDays(3), ["victor"]),
                new ActionItemEscalated(Id, Due, 4, "scheduler", Due.AddDays(5), ["victor", "erin"]),
                new ActionItemEscalated(Id, Due, 5, "scheduler", Due.AddDays(8), ["vp-eng"]),
            ]),
            Describe(steps));
    }

    [Fact]
    public void a_one_step_ladder_ends_at_overdue()
    {
        var ladder = new EscalationPolicy(TimeSpan.FromDays(1), [new(TimeSpan.Zero, ["owner", "leads"])]);
        var steps = Climb(Fold(Item.Created(dueAt: Due)), ladder, Platform);

        Assert.Equal(2, steps.Length);
        Assert.Equal(["alice", "carol", "cathy"], Assert.IsType<ActionItemOverdue>(steps[^1]).Notified);
    }

    [Fact]
    public void after_downtime_every_step_reached_is_recorded_at_once()
    {
        Given(Item.Created(dueAt: Due)).When(new CheckDeadlines(), by: Scheduler, at: Due.AddDays(4), ladder: FiveSteps, audience: Platform)
            .Then(
                new ActionItemOverdue(Id, Due, "scheduler", Due.AddDays(4), ["alice"]),
                new ActionItemEscalated(Id, Due, 2, "scheduler", Due.AddDays(4), ["carol", "cathy"]),
                new ActionItemEscalated(Id, Due, 3, "scheduler", Due.AddDays(4), ["victor"]));
    }

    [Fact]
    public void a_step_whose_targets_name_nobody_notifies_whom_the_step_below_named()
    {
        var noContact = Platform with { EscalationContact = null };
        var atLevel2 = Fold(Item.Created(dueAt: Due),
            new ActionItemOverdue(Id, Due, "scheduler", Due, ["alice"]),
            new ActionItemEscalated(Id, Due, 2, "scheduler", Due.AddDays(1), ["carol", "cathy"]));

        var step3 = Assert.IsType<ActionItemEscalated>(Assert.Single(Deadlines.Check(atLevel2, Due.AddDays(3), FiveSteps, noContact, "scheduler")));
        Assert.Equal(["carol", "cathy"], step3.Notified);
        Assert.Equal(["alice"], Deadlines.Notified(atLevel2, FiveSteps, Audience.Nobody, 3));
    }

    // Weekends, in the team's time zone

    [Fact]
    public void a_step_that_falls_on_a_saturday_in_the_team_s_zone_is_taken_on_monday_at_the_same_local_time()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        // Due Wednesday 2026-12-02 10:00 in New York (15:00 UTC); three days later is Saturday.
        var due = new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero);
        var ladder = new EscalationPolicy(TimeSpan.FromDays(1), [new(TimeSpan.Zero, ["owner"]), new(TimeSpan.FromDays(3), ["leads"])])
        {
            SkipWeekends = true,
            TimeZone = newYork,
        };
        var overdue = Fold(Item.Created(dueAt: due), new ActionItemOverdue(Id, due, "scheduler", due, ["alice"]));

        Assert.Equal(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero), Deadlines.NextCheck(overdue, ladder));
        Assert.Empty(Deadlines.Check(overdue, due.AddDays(3), ladder, Platform, "scheduler"));
    }

    [Fact]
    public void a_weekend_step_moved_across_the_end_of_daylight_saving_time_keeps_its_wall_clock_time()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        // Saturday 2026-10-31 10:00 EDT (14:00 UTC); clocks go back on Sunday 1 November, so
        // Monday 10:00 is EST, 15:00 UTC: 49 hours later, not 48.
        var saturday = new DateTimeOffset(2026, 10, 31, 14, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 15, 0, 0, TimeSpan.Zero), Weekends.Skip(saturday, newYork));
        // The same instant is Saturday 23:00 in Tokyo, which has no daylight saving: Monday 23:00,
        // 48 hours later. A Monday is not moved.
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 14, 0, 0, TimeSpan.Zero), Weekends.Skip(saturday, tokyo));
        var monday = new DateTimeOffset(2026, 11, 2, 15, 0, 0, TimeSpan.Zero);
        Assert.Equal(monday, Weekends.Skip(monday, newYork));
    }

    [Fact]
    public void without_skip_weekends_a_saturday_step_is_taken_on_saturday()
    {
        var due = new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero);
        var ladder = new EscalationPolicy(TimeSpan.FromDays(1), [new(TimeSpan.Zero, ["owner"]), new(TimeSpan.FromDays(3), ["leads"])])
        {
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York"),
        };
        var overdue = Fold(Item.Created(dueAt: due), new ActionItemOverdue(Id, due, "scheduler", due, ["alice"]));

        Assert.Equal(due.AddDays(3), Deadlines.NextCheck(overdue, ladder));
    }

    // Pausing while blocked

    private static readonly EscalationPolicy Pausing = FiveSteps with { PauseWhileBlocked = true };

    private static ActionItem OverdueThenBlocked(DateTimeOffset blockedAt) => Fold(
        Item.Created(dueAt: Due),
        new ActionItemOverdue(Id, Due, "scheduler", Due, ["alice"]),
        new ActionItemBlocked(Id, "Waiting for the vendor", "alice", blockedAt));

    [Fact]
    public void a_blocked_item_takes_no_step_while_the_ladder_pauses()
    {
        var blocked = OverdueThenBlocked(Due.AddHours(12));

        Assert.Null(Deadlines.NextCheck(blocked, Pausing));
        Assert.Empty(Deadlines.Check(blocked, Due.AddDays(30), Pausing, Platform, "scheduler"));
        // A ladder that does not pause climbs as usual.
        Assert.Equal(Due.AddDays(1), Deadlines.NextCheck(blocked, FiveSteps));
    }

    [Fact]
    public void after_unblocking_the_remaining_steps_move_later_by_the_time_blocked()
    {
        var unblocked = OverdueThenBlocked(Due.AddHours(12)).Let(item =>
            ActionItem.Evolve(item, new ActionItemUnblocked(Id, ItemStatus.InProgress, "alice", Due.AddDays(2).AddHours(12))));

        Assert.Equal(TimeSpan.FromDays(2), unblocked.BlockedFor);
        Assert.Equal(Due.AddDays(3), Deadlines.NextCheck(unblocked, Pausing));
        Assert.Empty(Deadlines.Check(unblocked, Due.AddDays(3) - Tick, Pausing, Platform, "scheduler"));
        Assert.Equal(2, Assert.IsType<ActionItemEscalated>(Assert.Single(Deadlines.Check(unblocked, Due.AddDays(3), Pausing, Platform, "scheduler"))).Level);
    }

    [Fact]
    public void a_new_due_date_starts_the_pauses_afresh()
    {
        var redated = OverdueThenBlocked(Due.AddHours(12))
            .Let(item => ActionItem.Evolve(item, new ActionItemUnblocked(Id, ItemStatus.Open, "alice", Due.AddDays(1).AddHours(12))))
            .Let(item => ActionItem.Evolve(item, new ActionItemDueDateChanged(Id, Due.AddDays(10), Due, "Vendor is late", false, "carol", Due.AddDays(2))));

        Assert.Equal(TimeSpan.Zero, redated.BlockedFor);
    }

    // A policy changed between two steps

    [Fact]
    public void a_ladder_changed_between_steps_applies_from_the_next_step_on_and_the_steps_taken_stay()
    {
        var atLevel2 = Fold(Item.Created(dueAt: Due),
            new ActionItemOverdue(Id, Due, "scheduler", Due, ["alice"]),
            new ActionItemEscalated(Id, Due, 2, "scheduler", Due.AddDays(3), ["carol", "cathy"]));

        // The default ladder would take step 3 seven days after the due date; the team's new one
        // takes it after three (already past: taken at the next check) and has a fourth.
        Assert.Equal(Due.AddDays(3), Deadlines.NextCheck(atLevel2, FiveSteps));
        var steps = Deadlines.Check(atLevel2, Due.AddDays(4), FiveSteps, Platform, "scheduler");
        Assert.Equal(3, Assert.IsType<ActionItemEscalated>(Assert.Single(steps)).Level);
        Assert.Equal(2, atLevel2.EscalationLevel);

        // A shorter ladder than the level reached takes no more steps.
        var short2 = new EscalationPolicy(TimeSpan.FromDays(1), [new(TimeSpan.Zero, ["owner"]), new(TimeSpan.FromDays(1), ["leads"])]);
        Assert.Null(Deadlines.NextCheck(atLevel2, short2));
    }

    // Invalid policies

    [Theory]
    [InlineData("ladder", 0)]
    [InlineData("ladder", 11)]
    public void a_ladder_has_one_to_ten_steps(string field, int steps)
    {
        var ladder = Enumerable.Range(0, steps).Select(i => new LadderStep(TimeSpan.FromDays(i), ["owner"])).ToList();
        Assert.Contains(field, PolicyRules.Problems(DueDatePolicy.Default, new EscalationPolicy(TimeSpan.FromDays(1), ladder)).Keys);
    }

    [Fact]
    public void each_invalid_step_is_named_by_its_field()
    {
        var problems = PolicyRules.Problems(DueDatePolicy.Default with { High = TimeSpan.Zero }, new EscalationPolicy(TimeSpan.FromDays(-1),
        [
            new(TimeSpan.FromHours(1), ["owner"]),
            new(TimeSpan.FromHours(1), []),
            new(TimeSpan.FromDays(2), ["managers"]),
        ]));

        Assert.Equal(["dueIn.high", "ladder[0].after", "ladder[1].after", "ladder[1].notify", "ladder[2].notify", "remindBefore"],
            problems.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(PolicyRules.Problems(DueDatePolicy.Default, FiveSteps));
        Assert.Empty(PolicyRules.Problems(DueDatePolicy.Default, EscalationPolicy.Default));
    }
}

internal static class Folding
{
    public static T Let<T>(this T value, Func<T, T> next) => next(value);
}
