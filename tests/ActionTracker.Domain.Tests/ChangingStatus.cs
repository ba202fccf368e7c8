using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

public sealed class ChangingStatus
{
    private static readonly Guid Id = Item.Id;

    private static ChangeStatus To(ItemStatus status, string? reason = null, string? resolution = null) => new(status, reason, resolution);

    [Fact]
    public void the_owner_starts_work_on_an_open_item()
    {
        var state = Given(Item.In(ItemStatus.Open))
            .When(To(ItemStatus.InProgress), by: Callers.Owner)
            .Then(new ActionItemStarted(Id, "alice", Now));

        Assert.Equal(ItemStatus.InProgress, state.Status);
        Assert.Equal(Now, state.UpdatedAt);
    }

    [Fact]
    public void the_owner_stops_work_and_the_item_is_open_again()
    {
        var state = Given(Item.In(ItemStatus.InProgress))
            .When(To(ItemStatus.Open), by: Callers.Owner)
            .Then(new ActionItemWorkStopped(Id, "alice", Now));

        Assert.Equal(ItemStatus.Open, state.Status);
    }

    [Theory]
    [InlineData(ItemStatus.Open)]
    [InlineData(ItemStatus.InProgress)]
    public void the_owner_blocks_an_item_with_a_trimmed_reason(ItemStatus from)
    {
        var state = Given(Item.In(from))
            .When(To(ItemStatus.Blocked, reason: "  Waiting for the vendor "), by: Callers.Owner)
            .Then(new ActionItemBlocked(Id, "Waiting for the vendor", "alice", Now));

        Assert.Equal(ItemStatus.Blocked, state.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void blocking_without_a_reason_is_invalid(string? reason)
    {
        Given(Item.In(ItemStatus.Open)).When(To(ItemStatus.Blocked, reason: reason), by: Callers.Owner).ThenInvalid("reason");
    }

    [Fact]
    public void a_reason_longer_than_1000_characters_is_invalid()
    {
        Given(Item.In(ItemStatus.Open))
            .When(To(ItemStatus.Blocked, reason: new string('r', 1001)), by: Callers.Owner)
            .ThenInvalid("reason");
    }

    [Fact]
    public void a_blocked_item_is_unblocked_back_to_open()
    {
        var state = Given(Item.In(ItemStatus.Blocked))
            .When(To(ItemStatus.Open), by: Callers.Owner)
            .Then(new ActionItemUnblocked(Id, ItemStatus.Open, "alice", Now));

        Assert.Equal(ItemStatus.Open, state.Status);
    }

    [Fact]
    public void a_blocked_item_is_unblocked_straight_into_progress()
    {
        var state = Given(Item.In(ItemStatus.Blocked))
            .When(To(ItemStatus.InProgress), by: Callers.Owner)
            .Then(new ActionItemUnblocked(Id, ItemStatus.InProgress, "alice", Now));

        Assert.Equal(ItemStatus.InProgress, state.Status);
    }

    [Fact]
    public void the_owner_completes_an_open_item_with_a_resolution()
    {
        var state = Given(Item.In(ItemStatus.Open))
            .When(To(ItemStatus.Done, resolution: " Pinned in the Helm chart "), by: Callers.Owner)
            .Then(new ActionItemCompleted(Id, "Pinned in the Helm chart", "alice", Now));

        Assert.Equal(ItemStatus.Done, state.Status);
        Assert.Equal(Now, state.CompletedAt);
    }

    [Theory]
    [InlineData(ItemStatus.Open)]
    [InlineData(ItemStatus.InProgress)]
    [InlineData(ItemStatus.Blocked)]
    public void the_owner_completes_an_item_from_every_unfinished_status(ItemStatus from)
    {
        Given(Item.In(from))
            .When(To(ItemStatus.Done, resolution: "Pinned"), by: Callers.Owner)
            .Then(new ActionItemCompleted(Id, "Pinned", "alice", Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void completing_without_a_resolution_records_none(string? resolution)
    {
        Given(Item.In(ItemStatus.InProgress))
            .When(To(ItemStatus.Done, resolution: resolution), by: Callers.Owner)
            .Then(new ActionItemCompleted(Id, null, "alice", Now));
    }

    [Fact]
    public void a_lead_of_the_team_completes_an_item_they_do_not_own()
    {
        Given(Item.In(ItemStatus.InProgress))
            .When(To(ItemStatus.Done), by: Callers.Lead)
            .Then(new ActionItemCompleted(Id, null, "carol", Now));
    }

    [Theory]
    [InlineData(ItemStatus.Open, ItemStatus.InProgress)]
    [InlineData(ItemStatus.InProgress, ItemStatus.Open)]
    [InlineData(ItemStatus.Open, ItemStatus.Blocked)]
    [InlineData(ItemStatus.Blocked, ItemStatus.Open)]
    [InlineData(ItemStatus.Open, ItemStatus.WontDo)]
    [InlineData(ItemStatus.Done, ItemStatus.Open)]
    public void only_a_change_to_done_carries_a_resolution(ItemStatus from, ItemStatus to)
    {
        Given(Item.In(from))
            .When(To(to, reason: "because", resolution: "Pinned"), by: Callers.Lead)
            .ThenInvalid("resolution");
    }

    [Fact]
    public void a_resolution_longer_than_4000_characters_is_invalid()
    {
        Given(Item.In(ItemStatus.Open))
            .When(To(ItemStatus.Done, resolution: new string('r', 4001)), by: Callers.Owner)
            .ThenInvalid("resolution");
    }

    [Theory]
    [InlineData(ItemStatus.Open)]
    [InlineData(ItemStatus.InProgress)]
    [InlineData(ItemStatus.Blocked)]
    public void a_lead_closes_an_unfinished_item_as_wont_do_with_a_reason(ItemStatus from)
    {
        var state = Given(Item.In(from))
            .When(To(ItemStatus.WontDo, reason: " Superseded by the migration "), by: Callers.Lead)
            .Then(new ActionItemCancelled(Id, "Superseded by the migration", "carol", Now));

        Assert.Equal(ItemStatus.WontDo, state.Status);
        Assert.True(state.IsTerminal);
    }

    [Fact]
    public void an_admin_closes_an_item_as_wont_do()
    {
        Given(Item.In(ItemStatus.Open))
            .When(To(ItemStatus.WontDo, reason: "Duplicate"), by: Callers.Admin)
            .Then(new ActionItemCancelled(Id, "Duplicate", "erin", Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void wont_do_without_a_reason_is_invalid_even_for_a_lead(string? reason)
    {
        Given(Item.In(ItemStatus.Open)).When(To(ItemStatus.WontDo, reason: reason), by: Callers.Lead).ThenInvalid("reason");
    }

    [Fact]
    public void the_owner_may_not_close_an_item_as_wont_do()
    {
        Given(Item.In(ItemStatus.Open)).When(To(ItemStatus.WontDo, reason: "Not worth it"), by: Callers.Owner).ThenForbidden();
    }

    [Fact]
    public void the_owner_asking_for_wont_do_without_a_reason_learns_it_is_invalid_first()
    {
        Given(Item.In(ItemStatus.Open)).When(To(ItemStatus.WontDo), by: Callers.Owner).ThenInvalid("reason");
    }

    [Fact]
    public void a_lead_reopens_a_done_item_with_a_reason()
    {
        var state = Given(Item.In(ItemStatus.Done))
            .When(To(ItemStatus.Open, reason: " The pin was lost "), by: Callers.Lead)
            .Then(new ActionItemReopened(Id, "The pin was lost", "carol", Now));

        Assert.Equal(ItemStatus.Open, state.Status);
        Assert.Null(state.CompletedAt);
    }

    [Fact]
    public void an_admin_reopens_a_wont_do_item_without_a_reason()
    {
        var state = Given(Item.In(ItemStatus.WontDo))
            .When(To(ItemStatus.Open), by: Callers.Admin)
            .Then(new ActionItemReopened(Id, null, "erin", Now));

        Assert.Equal(ItemStatus.Open, state.Status);
    }

    [Theory]
    [InlineData(ItemStatus.Done)]
    [InlineData(ItemStatus.WontDo)]
    public void the_owner_may_not_reopen_a_finished_item(ItemStatus finished)
    {
        Given(Item.In(finished)).When(To(ItemStatus.Open, reason: "Not done after all"), by: Callers.Owner).ThenForbidden();
    }

    [Fact]
    public void completing_a_cancelled_item_is_a_conflict()
    {
        Given(Item.In(ItemStatus.WontDo)).When(To(ItemStatus.Done), by: Callers.Lead).ThenConflict();
    }

    [Theory]
    [InlineData(ItemStatus.Done, ItemStatus.InProgress)]
    [InlineData(ItemStatus.Done, ItemStatus.Blocked)]
    [InlineData(ItemStatus.Done, ItemStatus.WontDo)]
    [InlineData(ItemStatus.WontDo, ItemStatus.InProgress)]
    [InlineData(ItemStatus.WontDo, ItemStatus.Blocked)]
    [InlineData(ItemStatus.WontDo, ItemStatus.Done)]
    public void a_finished_item_goes_nowhere_but_back_to_open(ItemStatus finished, ItemStatus to)
    {
        Given(Item.In(finished)).When(To(to, reason: "because"), by: Callers.Lead).ThenConflict();
    }

    [Fact]
    public void the_owner_moving_a_done_item_back_into_progress_is_a_conflict()
    {
        Given(Item.In(ItemStatus.Done)).When(To(ItemStatus.InProgress), by: Callers.Owner).ThenConflict();
    }

    [Theory]
    [InlineData(ItemStatus.Open)]
    [InlineData(ItemStatus.InProgress)]
    [InlineData(ItemStatus.Done)]
    public void asking_the_owner_s_item_for_the_status_it_already_has_returns_no_events(ItemStatus status)
    {
        Given(Item.In(status)).When(To(status, reason: "again"), by: Callers.Owner).ThenNothing();
    }

    [Fact]
    public void closing_a_wont_do_item_as_wont_do_again_for_the_same_reason_returns_no_events_and_for_another_is_a_conflict()
    {
        Given(Item.In(ItemStatus.WontDo)).When(To(ItemStatus.WontDo, reason: "Superseded by the migration"), by: Callers.Lead).ThenNothing();
        Given(Item.In(ItemStatus.WontDo)).When(To(ItemStatus.WontDo, reason: "still"), by: Callers.Lead).ThenConflict();
    }

    [Fact]
    public void a_team_member_who_is_not_the_owner_may_not_change_the_status()
    {
        Given(Item.In(ItemStatus.Open)).When(To(ItemStatus.InProgress), by: Callers.Member).ThenForbidden();
    }

    [Fact]
    public void an_outsider_completing_a_finished_item_is_forbidden_rather_than_told_about_its_state()
    {
        Given(Item.In(ItemStatus.WontDo)).When(To(ItemStatus.Done), by: Callers.Outsider).ThenForbidden();
    }

    [Fact]
    public void an_outsider_blocking_without_a_reason_learns_it_is_invalid_first()
    {
        Given(Item.In(ItemStatus.Open)).When(To(ItemStatus.Blocked), by: Callers.Outsider).ThenInvalid("reason");
    }

    [Fact]
    public void after_a_handover_the_new_owner_may_change_the_status_and_the_old_one_may_not()
    {
        var history = new IActionItemEvent[] { Item.Created(), Item.Assigned("bob") };
        Given(history).When(To(ItemStatus.InProgress), by: Callers.Member).Then(new ActionItemStarted(Id, "bob", Now));
        Given(history).When(To(ItemStatus.InProgress), by: Callers.Owner).ThenForbidden();
    }

    [Fact]
    public void after_a_move_to_another_team_its_lead_decides_and_the_old_lead_may_not()
    {
        var history = new IActionItemEvent[] { Item.Created(), Item.Assigned("frank", team: Callers.OtherTeam) };
        Given(history)
            .When(To(ItemStatus.WontDo, reason: "Not ours"), by: Callers.LeadOfOtherTeam)
            .Then(new ActionItemCancelled(Id, "Not ours", "dave", Now));
        Given(history).When(To(ItemStatus.WontDo, reason: "Not ours"), by: Callers.Lead).ThenForbidden();
    }

    [Fact]
    public void a_reopened_item_can_be_completed_again()
    {
        Given(Item.Created(), Item.Completed(day: 2), Item.Reopened(day: 3))
            .When(To(ItemStatus.Done, resolution: "Really pinned"), by: Callers.Owner)
            .Then(new ActionItemCompleted(Id, "Really pinned", "alice", Now));
    }
}
