namespace ActionTracker.Domain.Tests;

public sealed class Evolving
{
    private static readonly DateTimeOffset Due = Item.DefaultDue(Priority.Medium);

    [Fact]
    public void no_events_fold_to_no_item()
    {
        Assert.Null(ActionItem.Fold([]));
    }

    [Fact]
    public void a_created_item_is_open_with_the_fields_of_its_creation()
    {
        var item = ActionItem.Fold([Item.Created(Priority.High)])!;

        Assert.Equal(Item.Id, item.Id);
        Assert.Equal(Item.Title, item.Title);
        Assert.Equal("Pin the GitOps component.", item.Description);
        Assert.Equal(("platform", "alice"), (item.Team, item.Owner));
        Assert.Equal(Priority.High, item.Priority);
        Assert.Equal(ItemStatus.Open, item.Status);
        Assert.Equal(Item.DefaultDue(Priority.High), item.DueAt);
        Assert.Equal(new ItemSource("postmortem", "pm-2021-02-19-flux", "Flux unintended version update"), item.Source);
        Assert.Equal(["gitops"], item.Labels);
        Assert.Equal((Item.CreatedAt, Item.CreatedAt), (item.CreatedAt, item.UpdatedAt));
        Assert.Null(item.CompletedAt);
        Assert.Equal((0, 0, 0), (item.OwnerPostponements, item.EscalationLevel, item.Comments));
    }

    [Fact]
    public void a_full_history_folds_to_the_item_it_describes()
    {
        var item = ActionItem.Fold(
        [
            Item.Created(),
            Item.Started(day: 1),
            Item.Commented(1, day: 1),
            Item.Blocked(day: 2),
            Item.DueDateChanged(Due.AddDays(7), Due, ownerPostponement: true, day: 3),
            Item.Unblocked(ItemStatus.InProgress, day: 4),
            Item.Assigned("bob", day: 5),
            Item.DueDateChanged(Due.AddDays(30), Due.AddDays(7), ownerPostponement: false, day: 6, by: "carol"),
            Item.Commented(2, day: 7),
            Item.Completed(day: 8, by: "bob"),
            Item.Commented(3, day: 9),
        ])!;

        Assert.Equal(ItemStatus.Done, item.Status);
        Assert.Equal(Item.Day(8), item.CompletedAt);
        Assert.Equal(Item.Day(9), item.UpdatedAt);
        Assert.Equal(Item.CreatedAt, item.CreatedAt);
        Assert.Equal(("bob", "platform"), (item.Owner, item.Team));
        Assert.Equal(Due.AddDays(30), item.DueAt);
        Assert.Equal(1, item.OwnerPostponements);
        Assert.Equal(3, item.Comments);
        Assert.True(item.IsTerminal);
    }

    [Fact]
    public void reopening_clears_the_completion_instant()
    {
        var done = ActionItem.Fold(Item.In(ItemStatus.Done))!;
        var reopened = ActionItem.Evolve(done, Item.Reopened(day: 6));

        Assert.Equal(Item.Day(4), done.CompletedAt);
        Assert.Equal(ItemStatus.Open, reopened.Status);
        Assert.Null(reopened.CompletedAt);
        Assert.Equal(Item.Day(6), reopened.UpdatedAt);
        Assert.False(reopened.IsTerminal);
    }

    [Fact]
    public void closing_as_wont_do_is_terminal_and_sets_the_completion_instant()
    {
        var item = ActionItem.Fold([Item.Created(), Item.Cancelled(day: 3)])!;

        Assert.Equal(ItemStatus.WontDo, item.Status);
        Assert.Equal(Item.Day(3), item.CompletedAt);
        Assert.True(item.IsTerminal);
    }

    [Fact]
    public void completing_again_after_a_reopen_sets_the_new_completion_instant()
    {
        var item = ActionItem.Fold([.. Item.In(ItemStatus.Done), Item.Reopened(day: 5), Item.Completed(day: 7)])!;

        Assert.Equal(Item.Day(7), item.CompletedAt);
    }

    [Theory]
    [InlineData(ItemStatus.Open)]
    [InlineData(ItemStatus.InProgress)]
    public void unblocking_resumes_the_status_the_event_names(ItemStatus resumedAs)
    {
        var item = ActionItem.Fold([Item.Created(), Item.Blocked(), Item.Unblocked(resumedAs)])!;

        Assert.Equal(resumedAs, item.Status);
    }

    [Fact]
    public void stopping_work_returns_the_item_to_open()
    {
        var item = ActionItem.Fold([Item.Created(), Item.Started(), Item.WorkStopped()])!;

        Assert.Equal(ItemStatus.Open, item.Status);
        Assert.Equal(Item.Day(2), item.UpdatedAt);
    }

    [Fact]
    public void an_assignment_moves_owner_and_team()
    {
        var item = ActionItem.Fold([Item.Created(), Item.Assigned("frank", team: "payments")])!;

        Assert.Equal(("frank", "payments"), (item.Owner, item.Team));
    }

    [Fact]
    public void only_owner_postponements_are_counted()
    {
        var item = ActionItem.Fold(
        [
            Item.Created(),
            Item.DueDateChanged(Due.AddDays(-10), Due, ownerPostponement: false, day: 1),
            Item.DueDateChanged(Due.AddDays(5), Due.AddDays(-10), ownerPostponement: true, day: 2),
            Item.DueDateChanged(Due.AddDays(50), Due.AddDays(5), ownerPostponement: false, day: 3, by: "carol"),
            Item.DueDateChanged(Due.AddDays(60), Due.AddDays(50), ownerPostponement: true, day: 4),
        ])!;

        Assert.Equal(2, item.OwnerPostponements);
        Assert.Equal(Due.AddDays(60), item.DueAt);
    }

    [Fact]
    public void a_new_due_date_re_arms_the_escalation_ladder()
    {
        var escalated = ActionItem.Fold([Item.Created()])! with { EscalationLevel = 2 };

        var item = ActionItem.Evolve(escalated, Item.DueDateChanged(Due.AddDays(7), Due, ownerPostponement: false));

        Assert.Equal(0, item.EscalationLevel);
    }

    [Fact]
    public void each_comment_is_counted()
    {
        var item = ActionItem.Fold([Item.Created(), Item.Commented(1), Item.Commented(2), Item.Commented(3)])!;

        Assert.Equal(3, item.Comments);
    }

    [Fact]
    public void an_item_is_overdue_from_its_due_instant_until_it_is_finished()
    {
        var open = ActionItem.Fold(Item.In(ItemStatus.Open))!;
        var done = ActionItem.Fold(Item.In(ItemStatus.Done))!;

        // The same instant the ladder records it overdue (level 1).
        Assert.False(open.IsOverdue(Due.AddTicks(-1)));
        Assert.True(open.IsOverdue(Due));
        Assert.False(done.IsOverdue(Due.AddDays(1)));
    }

    [Fact]
    public void a_stream_that_does_not_start_with_a_creation_is_rejected()
    {
        Assert.Throws<InvalidOperationException>(() => ActionItem.Fold([Item.Started()]));
    }

    [Fact]
    public void an_item_created_twice_is_rejected()
    {
        Assert.Throws<InvalidOperationException>(() => ActionItem.Fold([Item.Created(), Item.Created()]));
    }
}
