using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>
/// The reminder and escalation ladder, decided by <see cref="CheckDeadlines"/> from the scheduler.
/// The item is medium priority and due 60 days after creation. With the default ladder: a reminder
/// two days before the due date, level 1 (overdue, the owner) at the due date, level 2 (the leads)
/// three days after it and level 3 (the escalation contact) seven days after it; each once per due
/// date. A reminder within a day of the last notification is recorded with Notify=false.
/// </summary>
public sealed class Escalating
{
    private static readonly Guid Id = Item.Id;
    private static readonly DateTimeOffset Due = Item.DefaultDue(Priority.Medium);
    private static readonly DateTimeOffset RemindAt = Due.AddDays(-2);
    private static readonly DateTimeOffset Level2At = Due.AddDays(3);
    private static readonly DateTimeOffset Level3At = Due.AddDays(7);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly EscalationPolicy Ladder = EscalationPolicy.Default;

    /// <summary>The scheduler's caller, as the API's deadline handler uses it.</summary>
    private static readonly Caller Scheduler = Caller.Create("scheduler", [], [Caller.ServiceRole]);

    private static ActionItemDueSoon DueSoon(DateTimeOffset at, bool notify = true, DateTimeOffset? dueAt = null) =>
        new(Id, dueAt ?? Due, notify, "scheduler", at);

    // With nobody looked up for the team (no leads, no contact), every step falls back to the owner.
    private static ActionItemOverdue Overdue(DateTimeOffset at, DateTimeOffset? dueAt = null) =>
        new(Id, dueAt ?? Due, "scheduler", at, ["alice"]);

    private static ActionItemEscalated Escalated(int level, DateTimeOffset at, DateTimeOffset? dueAt = null) =>
        new(Id, dueAt ?? Due, level, "scheduler", at, ["alice"]);

    private static ActionItemDueDateChanged Redated(DateTimeOffset dueAt, DateTimeOffset previousDueAt, DateTimeOffset at) =>
        new(Id, dueAt, previousDueAt, "Vendor is late", false, "carol", at);

    private static ActionItemCompleted CompletedAt(DateTimeOffset at) => new(Id, "Pinned in the Helm chart", "alice", at);
    private static ActionItemCancelled CancelledAt(DateTimeOffset at) => new(Id, "Superseded by the migration", "carol", at);
    private static ActionItemReopened ReopenedAt(DateTimeOffset at) => new(Id, "Came back", "carol", at);

    private static IActionItemEvent[] Reminded() => [Item.Created(), DueSoon(RemindAt)];
    private static IActionItemEvent[] AtLevel1() => [.. Reminded(), Overdue(Due)];
    private static IActionItemEvent[] AtLevel2() => [.. AtLevel1(), Escalated(2, Level2At)];
    private static IActionItemEvent[] AtLevel3() => [.. AtLevel2(), Escalated(3, Level3At)];

    private static Spec.Outcome Checking(IActionItemEvent[] history, DateTimeOffset at, EscalationPolicy? ladder = null) =>
        Given(history).When(new CheckDeadlines(), by: Scheduler, at: at, ladder: ladder);

    // The reminder

    [Fact]
    public void nothing_is_recorded_one_tick_before_the_reminder_is_due()
    {
        Checking([Item.Created()], RemindAt - Tick).ThenNothing();
    }

    [Fact]
    public void nothing_is_recorded_long_before_the_due_date()
    {
        Checking([Item.Created()], Now).ThenNothing();
    }

    [Fact]
    public void the_reminder_is_recorded_exactly_two_days_before_the_due_date()
    {
        var state = Checking([Item.Created()], RemindAt).Then(DueSoon(RemindAt));

        Assert.Equal(Due, state.RemindedFor);
        Assert.Equal(RemindAt, state.LastNotifiedAt);
        Assert.Equal(0, state.EscalationLevel);
    }

    [Fact]
    public void a_late_check_inside_the_reminder_window_still_records_the_reminder()
    {
        Checking([Item.Created()], Due - Tick).Then(DueSoon(Due - Tick));
    }

    [Theory]
    [InlineData(ItemStatus.Open)]
    [InlineData(ItemStatus.InProgress)]
    [InlineData(ItemStatus.Blocked)]
    public void every_unfinished_item_is_reminded(ItemStatus status)
    {
        Checking(Item.In(status), RemindAt).Then(DueSoon(RemindAt));
    }

    [Fact]
    public void the_reminder_is_recorded_once_per_due_date()
    {
        Checking(Reminded(), RemindAt.AddHours(1)).ThenNothing();
        Checking(Reminded(), Due - Tick).ThenNothing();
    }

    [Fact]
    public void a_reminder_recorded_silently_still_counts_as_the_reminder_for_the_due_date()
    {
        Checking([Item.Created(), DueSoon(RemindAt, notify: false)], Due - Tick).ThenNothing();
    }

    // Level 1: overdue

    [Fact]
    public void the_item_is_overdue_exactly_at_the_due_date()
    {
        var state = Checking(Reminded(), Due).Then(Overdue(Due));

        Assert.Equal(1, state.EscalationLevel);
        Assert.Equal(Due, state.LastNotifiedAt);
    }

    [Fact]
    public void an_item_never_reminded_is_overdue_at_the_due_date_without_a_stale_reminder()
    {
        Checking([Item.Created()], Due).Then(Overdue(Due));
        Checking([Item.Created()], Due.AddHours(5)).Then(Overdue(Due.AddHours(5)));
    }

    [Fact]
    public void overdue_is_recorded_once()
    {
        Checking(AtLevel1(), Due.AddDays(1)).ThenNothing();
        Checking(AtLevel1(), Level2At - Tick).ThenNothing();
    }

    // Level 2: the leads

    [Fact]
    public void nothing_is_recorded_one_tick_before_level_2()
    {
        Checking(AtLevel1(), Level2At - Tick).ThenNothing();
    }

    [Fact]
    public void level_2_is_reached_exactly_three_days_after_the_due_date()
    {
        var state = Checking(AtLevel1(), Level2At).Then(Escalated(2, Level2At));

        Assert.Equal(2, state.EscalationLevel);
        Assert.Equal(Level2At, state.LastNotifiedAt);
    }

    [Fact]
    public void level_2_is_recorded_once()
    {
        Checking(AtLevel2(), Level2At.AddDays(1)).ThenNothing();
        Checking(AtLevel2(), Level3At - Tick).ThenNothing();
    }

    // Level 3: the escalation contact

    [Fact]
    public void level_3_is_reached_exactly_seven_days_after_the_due_date()
    {
        Checking(AtLevel2(), Level3At - Tick).ThenNothing();
        var state = Checking(AtLevel2(), Level3At).Then(Escalated(3, Level3At));

        Assert.Equal(3, state.EscalationLevel);
        Assert.Equal(Level3At, state.LastNotifiedAt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(365)]
    public void nothing_follows_level_3(int daysLater)
    {
        Checking(AtLevel3(), Level3At.AddDays(daysLater)).ThenNothing();
    }

    // Downtime: a check past several thresholds

    [Fact]
    public void after_downtime_a_check_records_every_level_reached_in_order_and_no_stale_reminder()
    {
        var at = Level3At.AddHours(1);
        var state = Checking([Item.Created()], at).Then(Overdue(at), Escalated(2, at), Escalated(3, at));

        Assert.Equal(3, state.EscalationLevel);
        Assert.Equal(at, state.LastNotifiedAt);
        Assert.Null(state.RemindedFor);
    }

    [Fact]
    public void after_downtime_exactly_at_level_2_a_check_records_levels_1_and_2_only()
    {
        Checking([Item.Created()], Level2At).Then(Overdue(Level2At), Escalated(2, Level2At));
    }

    [Fact]
    public void after_downtime_a_reminded_item_records_the_levels_it_missed()
    {
        Checking(Reminded(), Level2At.AddDays(1)).Then(Overdue(Level2At.AddDays(1)), Escalated(2, Level2At.AddDays(1)));
        Checking(AtLevel1(), Level3At).Then(Escalated(2, Level3At), Escalated(3, Level3At));
    }

    // Idempotence

    public static TheoryData<DateTimeOffset> Instants() =>
    [
        RemindAt, Due - Tick, Due, Due.AddDays(1), Level2At, Level3At - Tick, Level3At, Level3At.AddDays(10),
    ];

    [Theory]
    [MemberData(nameof(Instants))]
    public void checking_again_at_the_same_instant_records_nothing(DateTimeOffset at)
    {
        IActionItemEvent[] history = [Item.Created()];
        var first = Checking(history, at).ThenSomeEvents();

        Checking([.. history, .. first], at).ThenNothing();
    }

    // Finished items stop the ladder

    [Theory]
    [InlineData(ItemStatus.Done)]
    [InlineData(ItemStatus.WontDo)]
    public void a_finished_item_has_no_reminder_and_no_escalation(ItemStatus finished)
    {
        Checking(Item.In(finished), RemindAt).ThenNothing();
        Checking(Item.In(finished), Due).ThenNothing();
        Checking(Item.In(finished), Level3At.AddDays(1)).ThenNothing();
    }

    [Fact]
    public void completing_an_overdue_item_stops_the_ladder()
    {
        Checking([.. AtLevel1(), CompletedAt(Due.AddDays(1))], Level2At).ThenNothing();
        Checking([.. AtLevel1(), CompletedAt(Due.AddDays(1))], Level3At.AddDays(1)).ThenNothing();
    }

    [Fact]
    public void cancelling_an_item_at_level_2_stops_the_ladder()
    {
        Checking([.. AtLevel2(), CancelledAt(Level2At.AddDays(1))], Level3At).ThenNothing();
    }

    // Reopening resumes the ladder where it was

    [Fact]
    public void reopening_a_finished_overdue_item_resumes_the_ladder_at_level_2()
    {
        IActionItemEvent[] history = [.. AtLevel1(), CompletedAt(Due.AddDays(1)), ReopenedAt(Due.AddDays(2))];

        Checking(history, Due.AddDays(2)).ThenNothing();
        Checking(history, Level2At - Tick).ThenNothing();
        Checking(history, Level2At).Then(Escalated(2, Level2At));
    }

    [Fact]
    public void reopening_a_cancelled_item_at_level_2_resumes_the_ladder_at_level_3()
    {
        IActionItemEvent[] history = [.. AtLevel2(), CancelledAt(Level2At.AddDays(1)), ReopenedAt(Level2At.AddDays(2))];

        Checking(history, Level3At - Tick).ThenNothing();
        Checking(history, Level3At).Then(Escalated(3, Level3At));
    }

    [Fact]
    public void reopening_long_after_the_item_finished_records_the_levels_reached_meanwhile()
    {
        var reopenedAt = Level3At.AddDays(3);
        IActionItemEvent[] history = [.. AtLevel1(), CompletedAt(Due.AddDays(1)), ReopenedAt(reopenedAt)];

        Checking(history, reopenedAt).Then(Escalated(2, reopenedAt), Escalated(3, reopenedAt));
    }

    [Fact]
    public void an_item_finished_before_its_reminder_and_reopened_after_its_due_date_is_overdue_without_a_stale_reminder()
    {
        var reopenedAt = Due.AddDays(1);
        IActionItemEvent[] history = [Item.Created(), Item.Completed(day: 4), ReopenedAt(reopenedAt)];

        Checking(history, reopenedAt).Then(Overdue(reopenedAt));
    }

    [Fact]
    public void an_item_reopened_after_its_reminder_is_not_reminded_again()
    {
        IActionItemEvent[] history = [.. Reminded(), CompletedAt(RemindAt.AddHours(1)), ReopenedAt(RemindAt.AddHours(2))];

        Checking(history, Due - Tick).ThenNothing();
        Checking(history, Due).Then(Overdue(Due));
    }

    // A new due date re-arms the ladder

    [Fact]
    public void a_new_due_date_set_at_level_2_re_arms_the_ladder_with_a_reminder_for_the_new_date()
    {
        var newDue = Due.AddDays(14);
        IActionItemEvent[] history = [.. AtLevel2(), Redated(newDue, Due, Level2At.AddHours(1))];

        Checking(history, Level3At).ThenNothing();
        Checking(history, newDue.AddDays(-2) - Tick).ThenNothing();
        var state = Checking(history, newDue.AddDays(-2)).Then(DueSoon(newDue.AddDays(-2), dueAt: newDue));

        Assert.Equal(0, state.EscalationLevel);
        Assert.Equal(newDue, state.RemindedFor);
    }

    [Fact]
    public void the_re_armed_ladder_climbs_again_from_level_1_at_the_new_due_date()
    {
        var newDue = Due.AddDays(14);
        IActionItemEvent[] history =
            [.. AtLevel2(), Redated(newDue, Due, Level2At.AddHours(1)), DueSoon(newDue.AddDays(-2), dueAt: newDue)];

        Checking(history, newDue - Tick).ThenNothing();
        Checking(history, newDue).Then(Overdue(newDue, dueAt: newDue));
        Checking([.. history, Overdue(newDue, dueAt: newDue)], newDue.AddDays(3))
            .Then(Escalated(2, newDue.AddDays(3), dueAt: newDue));
    }

    [Fact]
    public void postponing_before_the_reminder_moves_the_reminder()
    {
        var newDue = Due.AddDays(7);
        IActionItemEvent[] history = [Item.Created(), Item.DueDateChanged(newDue, Due, ownerPostponement: true)];

        Checking(history, RemindAt).ThenNothing();
        Checking(history, Due).ThenNothing();
        Checking(history, newDue.AddDays(-2)).Then(DueSoon(newDue.AddDays(-2), dueAt: newDue));
    }

    [Fact]
    public void postponing_after_the_reminder_reminds_again_for_the_new_date_and_skips_the_old_one()
    {
        var newDue = Due.AddDays(10);
        IActionItemEvent[] history = [.. Reminded(), Redated(newDue, Due, Due.AddDays(-1))];

        Checking(history, Due).ThenNothing();
        Checking(history, newDue.AddDays(-2)).Then(DueSoon(newDue.AddDays(-2), dueAt: newDue));
    }

    [Fact]
    public void bringing_the_due_date_into_the_reminder_window_reminds_at_the_next_check()
    {
        var newDue = RemindAt.AddDays(-1);
        IActionItemEvent[] history = [Item.Created(), Redated(newDue, Due, newDue.AddDays(-1))];

        Checking(history, newDue.AddDays(-1)).Then(DueSoon(newDue.AddDays(-1), dueAt: newDue));
    }

    // At most one notification a day, except level changes

    [Fact]
    public void a_reminder_within_a_day_of_the_last_notification_is_recorded_silently()
    {
        var newDue = Due.AddDays(2);
        IActionItemEvent[] history = [.. AtLevel1(), Redated(newDue, Due, Due.AddHours(1))];

        var state = Checking(history, Due.AddHours(2)).Then(DueSoon(Due.AddHours(2), notify: false, dueAt: newDue));

        Assert.Equal(newDue, state.RemindedFor);
        Assert.Equal(Due, state.LastNotifiedAt);
    }

    [Fact]
    public void a_reminder_one_tick_less_than_a_day_after_the_last_notification_is_silent()
    {
        var newDue = Due.AddDays(2);
        IActionItemEvent[] history = [.. AtLevel1(), Redated(newDue, Due, Due.AddHours(1))];

        var at = Due.AddDays(1) - Tick;
        Checking(history, at).Then(DueSoon(at, notify: false, dueAt: newDue));
    }

    [Fact]
    public void a_reminder_exactly_a_day_after_the_last_notification_notifies()
    {
        var newDue = Due.AddDays(2);
        IActionItemEvent[] history = [.. AtLevel1(), Redated(newDue, Due, Due.AddHours(1))];

        var at = Due.AddDays(1);
        var state = Checking(history, at).Then(DueSoon(at, notify: true, dueAt: newDue));

        Assert.Equal(at, state.LastNotifiedAt);
    }

    [Fact]
    public void a_silent_reminder_does_not_restart_the_quiet_period()
    {
        // Level 1 at Due; re-dated; a silent reminder at Due+2h; re-dated again; the next reminder
        // is a day after the last real notification (Due), not after the silent one.
        var secondDue = Due.AddDays(2);
        var thirdDue = Due.AddDays(3);
        IActionItemEvent[] history =
        [
            .. AtLevel1(),
            Redated(secondDue, Due, Due.AddHours(1)),
            DueSoon(Due.AddHours(2), notify: false, dueAt: secondDue),
            Redated(thirdDue, secondDue, Due.AddHours(23)),
        ];

        var at = Due.AddDays(1);
        Checking(history, at).Then(DueSoon(at, notify: true, dueAt: thirdDue));
    }

    [Fact]
    public void the_first_reminder_of_an_item_that_never_notified_is_not_silent()
    {
        Checking([Item.Created(), Item.Commented(1, day: 58)], RemindAt).Then(DueSoon(RemindAt, notify: true));
    }

    [Fact]
    public void a_level_change_is_recorded_even_within_a_day_of_the_last_notification()
    {
        // The reminder came late, an hour before the due date.
        IActionItemEvent[] history = [Item.Created(), DueSoon(Due.AddHours(-1))];

        var state = Checking(history, Due).Then(Overdue(Due));

        Assert.Equal(Due, state.LastNotifiedAt);
    }

    // A configured ladder

    private static readonly EscalationPolicy Quick =
        EscalationPolicy.Levels(remindBefore: TimeSpan.FromDays(5), level2After: TimeSpan.FromDays(1), level3After: TimeSpan.FromDays(2));

    [Fact]
    public void a_configured_reminder_lead_time_is_used()
    {
        Checking([Item.Created()], Due.AddDays(-5) - Tick, Quick).ThenNothing();
        Checking([Item.Created()], Due.AddDays(-5), Quick).Then(DueSoon(Due.AddDays(-5)));
    }

    [Fact]
    public void configured_escalation_thresholds_are_used()
    {
        IActionItemEvent[] atLevel1 = [Item.Created(), DueSoon(Due.AddDays(-5)), Overdue(Due)];
        IActionItemEvent[] atLevel2 = [.. atLevel1, Escalated(2, Due.AddDays(1))];

        Checking(atLevel1, Due.AddDays(1) - Tick, Quick).ThenNothing();
        Checking(atLevel1, Due.AddDays(1), Quick).Then(Escalated(2, Due.AddDays(1)));
        Checking(atLevel2, Due.AddDays(2) - Tick, Quick).ThenNothing();
        Checking(atLevel2, Due.AddDays(2), Quick).Then(Escalated(3, Due.AddDays(2)));
    }

    [Fact]
    public void after_downtime_a_configured_ladder_records_every_level_reached()
    {
        Checking([Item.Created()], Due.AddDays(2), Quick).Then(Overdue(Due.AddDays(2)), Escalated(2, Due.AddDays(2)), Escalated(3, Due.AddDays(2)));
    }

    [Fact]
    public void the_caller_s_id_is_recorded_as_the_actor_of_each_step()
    {
        var cron = Caller.Create("cron-job", [], [Caller.ServiceRole]);
        Given([Item.Created()]).When(new CheckDeadlines(), by: cron, at: Level2At)
            .Then(new ActionItemOverdue(Id, Due, "cron-job", Level2At, ["alice"]), new ActionItemEscalated(Id, Due, 2, "cron-job", Level2At, ["alice"]));
    }

    // NextCheck: when the scheduler should look again

    private static DateTimeOffset? NextCheck(params IActionItemEvent[] history) =>
        Deadlines.NextCheck(ActionItem.Fold(history)!, Ladder);

    [Fact]
    public void the_next_check_of_a_new_item_is_its_reminder()
    {
        Assert.Equal(RemindAt, NextCheck(Item.Created()));
    }

    [Fact]
    public void the_next_check_of_a_reminded_item_is_its_due_date()
    {
        Assert.Equal(Due, NextCheck(Reminded()));
        Assert.Equal(Due, NextCheck(Item.Created(), DueSoon(RemindAt, notify: false)));
    }

    [Fact]
    public void the_next_check_at_level_1_is_level_2()
    {
        Assert.Equal(Level2At, NextCheck(AtLevel1()));
    }

    [Fact]
    public void the_next_check_at_level_2_is_level_3()
    {
        Assert.Equal(Level3At, NextCheck(AtLevel2()));
    }

    [Fact]
    public void there_is_no_next_check_at_level_3()
    {
        Assert.Null(NextCheck(AtLevel3()));
    }

    [Theory]
    [InlineData(ItemStatus.Done)]
    [InlineData(ItemStatus.WontDo)]
    public void a_finished_item_has_no_next_check(ItemStatus finished)
    {
        Assert.Null(NextCheck(Item.In(finished)));
    }

    [Fact]
    public void an_overdue_item_that_was_completed_has_no_next_check()
    {
        Assert.Null(NextCheck([.. AtLevel1(), CompletedAt(Due.AddDays(1))]));
    }

    [Fact]
    public void after_a_due_date_change_the_next_check_is_the_reminder_for_the_new_date()
    {
        var newDue = Due.AddDays(14);
        Assert.Equal(newDue.AddDays(-2), NextCheck([.. AtLevel2(), Redated(newDue, Due, Level2At.AddHours(1))]));
        Assert.Equal(newDue.AddDays(-2), NextCheck([.. Reminded(), Redated(newDue, Due, Due.AddDays(-1))]));
    }

    [Fact]
    public void a_finished_item_reopened_after_level_1_is_next_checked_at_level_2()
    {
        Assert.Equal(Level2At, NextCheck([.. AtLevel1(), CompletedAt(Due.AddDays(1)), ReopenedAt(Due.AddDays(2))]));
    }

    [Fact]
    public void the_next_check_follows_a_configured_ladder()
    {
        Assert.Equal(Due.AddDays(-5), Deadlines.NextCheck(ActionItem.Fold([Item.Created()])!, Quick));
        Assert.Equal(Due.AddDays(1), Deadlines.NextCheck(ActionItem.Fold([Item.Created(), Overdue(Due)])!, Quick));
        Assert.Equal(Due.AddDays(2), Deadlines.NextCheck(ActionItem.Fold([Item.Created(), Overdue(Due), Escalated(2, Due.AddDays(1))])!, Quick));
    }

    [Fact]
    public void checking_at_each_next_check_walks_the_whole_ladder_one_step_at_a_time()
    {
        var item = ActionItem.Fold([Item.Created()])!;
        var steps = new List<IActionItemEvent>();
        while (Deadlines.NextCheck(item, Ladder) is { } next)
        {
            Assert.Empty(Deadlines.Check(item, next - Tick, Ladder, Audience.Nobody, "scheduler"));
            var events = Deadlines.Check(item, next, Ladder, Audience.Nobody, "scheduler");
            Assert.Single(events);
            steps.AddRange(events);
            item = events.Aggregate(item, ActionItem.Evolve);
            Assert.True(steps.Count <= EscalationPolicy.MaxSteps + 1, "The ladder does not end.");
        }

        Assert.Equal(
            Describe([DueSoon(RemindAt), Overdue(Due), Escalated(2, Level2At), Escalated(3, Level3At)]),
            Describe(steps));
    }

    // Evolve: what the ladder steps do to the state

    [Fact]
    public void a_silent_reminder_marks_the_date_reminded_but_does_not_move_the_last_notification()
    {
        var item = ActionItem.Fold([Item.Created(), DueSoon(RemindAt, notify: false)])!;
        Assert.Equal((Due, (DateTimeOffset?)null), (item.RemindedFor, item.LastNotifiedAt));

        var redated = Due.AddDays(2);
        item = ActionItem.Fold([.. AtLevel1(), Redated(redated, Due, Due.AddHours(1)), DueSoon(Due.AddHours(2), notify: false, dueAt: redated)])!;
        Assert.Equal((redated, (DateTimeOffset?)Due), (item.RemindedFor, item.LastNotifiedAt));
    }

    [Fact]
    public void a_notifying_reminder_marks_the_date_reminded_and_moves_the_last_notification()
    {
        var item = ActionItem.Fold(Reminded())!;

        Assert.Equal((Due, (DateTimeOffset?)RemindAt, 0), (item.RemindedFor, item.LastNotifiedAt, item.EscalationLevel));
    }

    [Fact]
    public void overdue_sets_level_1_and_the_last_notification()
    {
        var item = ActionItem.Fold(AtLevel1())!;

        Assert.Equal((1, (DateTimeOffset?)Due), (item.EscalationLevel, item.LastNotifiedAt));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void an_escalation_sets_its_level_and_the_last_notification(int level)
    {
        var at = Due.AddDays(level * 2);
        var item = ActionItem.Fold([.. AtLevel1(), Escalated(level, at)])!;

        Assert.Equal((level, (DateTimeOffset?)at), (item.EscalationLevel, item.LastNotifiedAt));
    }

    [Fact]
    public void ladder_steps_are_not_edits_and_leave_updated_at()
    {
        var item = ActionItem.Fold([Item.Created(), Item.Commented(1, day: 3), DueSoon(RemindAt), Overdue(Due), Escalated(2, Level2At)])!;

        Assert.Equal(Item.Day(3), item.UpdatedAt);
    }

    [Fact]
    public void a_due_date_change_resets_the_level_to_0_and_keeps_the_last_notification()
    {
        var newDue = Due.AddDays(14);
        var item = ActionItem.Fold([.. AtLevel2(), Redated(newDue, Due, Level2At.AddHours(1))])!;

        Assert.Equal(0, item.EscalationLevel);
        Assert.Equal(newDue, item.DueAt);
        Assert.Equal(Level2At, item.LastNotifiedAt);
    }

    [Fact]
    public void finishing_and_reopening_keep_the_level()
    {
        Assert.Equal(2, ActionItem.Fold([.. AtLevel2(), CompletedAt(Level2At.AddDays(1))])!.EscalationLevel);
        Assert.Equal(2, ActionItem.Fold([.. AtLevel2(), CancelledAt(Level2At.AddDays(1)), ReopenedAt(Level2At.AddDays(2))])!.EscalationLevel);
    }
}
