using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

public sealed class Assigning
{
    private static readonly Guid Id = Item.Id;

    [Fact]
    public void the_owner_hands_the_item_over_within_the_team()
    {
        var state = Given(Item.In(ItemStatus.InProgress))
            .When(new AssignActionItem("bob", null), by: Callers.Owner)
            .Then(new ActionItemAssigned(Id, "bob", "platform", "alice", "platform", "alice", Now));

        Assert.Equal("bob", state.Owner);
        Assert.Equal("platform", state.Team);
        Assert.Equal(ItemStatus.InProgress, state.Status);
    }

    [Fact]
    public void the_owner_may_name_the_current_team_when_handing_over()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new AssignActionItem("bob", "platform"), by: Callers.Owner)
            .Then(new ActionItemAssigned(Id, "bob", "platform", "alice", "platform", "alice", Now));
    }

    [Fact]
    public void the_new_owner_is_trimmed()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new AssignActionItem("  bob ", null), by: Callers.Owner)
            .Then(new ActionItemAssigned(Id, "bob", "platform", "alice", "platform", "alice", Now));
    }

    [Fact]
    public void the_owner_may_not_move_the_item_to_another_team()
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem("frank", "payments"), by: Callers.Owner).ThenForbidden();
    }

    [Fact]
    public void the_owner_may_not_move_the_item_to_another_team_even_keeping_it()
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem("alice", "payments"), by: Callers.Owner).ThenForbidden();
    }

    [Fact]
    public void a_lead_of_the_team_moves_the_item_to_another_team_and_owner()
    {
        var state = Given(Item.In(ItemStatus.Blocked))
            .When(new AssignActionItem("frank", "payments"), by: Callers.Lead)
            .Then(new ActionItemAssigned(Id, "frank", "payments", "alice", "platform", "carol", Now));

        Assert.Equal(("frank", "payments"), (state.Owner, state.Team));
        Assert.Equal(ItemStatus.Blocked, state.Status);
    }

    [Fact]
    public void a_lead_of_the_team_moves_the_item_to_another_team_keeping_its_owner()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new AssignActionItem("alice", "payments"), by: Callers.Lead)
            .Then(new ActionItemAssigned(Id, "alice", "payments", "alice", "platform", "carol", Now));
    }

    [Fact]
    public void a_lead_of_the_team_reassigns_an_item_they_do_not_own()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new AssignActionItem("bob", null), by: Callers.Lead)
            .Then(new ActionItemAssigned(Id, "bob", "platform", "alice", "platform", "carol", Now));
    }

    [Fact]
    public void an_admin_reassigns_to_any_team()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new AssignActionItem("zoe", "search"), by: Callers.Admin)
            .Then(new ActionItemAssigned(Id, "zoe", "search", "alice", "platform", "erin", Now));
    }

    [Fact]
    public void a_team_member_who_is_not_the_owner_may_not_reassign()
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem("bob", null), by: Callers.Member).ThenForbidden();
    }

    [Fact]
    public void a_lead_of_another_team_may_not_take_the_item_over()
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem("dave", "payments"), by: Callers.LeadOfOtherTeam).ThenForbidden();
    }

    [Theory]
    [InlineData(ItemStatus.Done)]
    [InlineData(ItemStatus.WontDo)]
    public void reassigning_a_finished_item_is_a_conflict(ItemStatus finished)
    {
        Given(Item.In(finished)).When(new AssignActionItem("bob", null), by: Callers.Lead).ThenConflict();
    }

    [Fact]
    public void the_owner_handing_over_a_done_item_is_a_conflict()
    {
        Given(Item.In(ItemStatus.Done)).When(new AssignActionItem("bob", null), by: Callers.Owner).ThenConflict();
    }

    [Fact]
    public void an_outsider_reassigning_a_finished_item_is_forbidden_rather_than_told_about_its_state()
    {
        Given(Item.In(ItemStatus.Done)).When(new AssignActionItem("mallory", null), by: Callers.Outsider).ThenForbidden();
    }

    [Fact]
    public void assigning_the_current_owner_returns_no_events()
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem(" alice ", null), by: Callers.Owner).ThenNothing();
    }

    [Fact]
    public void a_lead_assigning_the_current_owner_and_team_returns_no_events()
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem("alice", "platform"), by: Callers.Lead).ThenNothing();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("bob smith")]
    public void the_new_owner_must_be_a_user_id(string owner)
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem(owner, null), by: Callers.Lead).ThenInvalid("owner");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Payments")]
    [InlineData("pay ments")]
    public void the_new_team_must_be_a_slug(string team)
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem("frank", team), by: Callers.Lead).ThenInvalid("team");
    }

    [Fact]
    public void an_outsider_sending_an_invalid_assignment_learns_it_is_invalid_first()
    {
        Given(Item.In(ItemStatus.Open)).When(new AssignActionItem("", "Nope"), by: Callers.Outsider).ThenInvalid("owner", "team");
    }

    [Fact]
    public void after_handing_over_the_previous_owner_may_no_longer_reassign()
    {
        Given(Item.Created(), Item.Assigned("bob", by: "alice"))
            .When(new AssignActionItem("alice", null), by: Callers.Owner)
            .ThenForbidden();
    }

    [Fact]
    public void the_new_owner_may_hand_the_item_on()
    {
        Given(Item.Created(), Item.Assigned("bob", by: "alice"))
            .When(new AssignActionItem("alice", null), by: Callers.Member)
            .Then(new ActionItemAssigned(Id, "alice", "platform", "bob", "platform", "bob", Now));
    }

    [Fact]
    public void after_a_move_the_lead_of_the_old_team_may_no_longer_reassign()
    {
        Given(Item.Created(), Item.Assigned("frank", team: "payments"))
            .When(new AssignActionItem("alice", "platform"), by: Callers.Lead)
            .ThenForbidden();
    }

    [Fact]
    public void a_reopened_item_can_be_reassigned()
    {
        Given([.. Item.In(ItemStatus.Done), Item.Reopened()])
            .When(new AssignActionItem("bob", null), by: Callers.Lead)
            .Then(new ActionItemAssigned(Id, "bob", "platform", "alice", "platform", "carol", Now));
    }
}
