using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>
/// The item is medium priority, created ten days ago and due 60 days after creation; the owner may
/// postpone it once to at most 120 days after creation.
/// </summary>
public sealed class ChangingDueDate
{
    private static readonly Guid Id = Item.Id;
    private static readonly DateTimeOffset Due = Item.DefaultDue(Priority.Medium);
    private static readonly DateTimeOffset OwnerLimit = Item.CreatedAt.AddDays(120);

    [Fact]
    public void the_owner_postpones_once_with_a_reason()
    {
        var state = Given(Item.In(ItemStatus.InProgress))
            .When(new ChangeDueDate(Due.AddDays(14), "  Vendor is late "), by: Callers.Owner)
            .Then(new ActionItemDueDateChanged(Id, Due.AddDays(14), Due, "Vendor is late", true, "alice", Now));

        Assert.Equal(Due.AddDays(14), state.DueAt);
        Assert.Equal(1, state.OwnerPostponements);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void a_reason_is_required_even_from_a_lead(string? reason)
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Due.AddDays(1), reason), by: Callers.Lead).ThenInvalid("reason");
    }

    [Fact]
    public void a_reason_longer_than_1000_characters_is_invalid()
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Due.AddDays(1), new string('r', 1001)), by: Callers.Lead).ThenInvalid("reason");
    }

    [Fact]
    public void a_due_date_in_the_past_is_invalid()
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Now.AddMinutes(-1), "Oops"), by: Callers.Lead).ThenInvalid("dueAt");
    }

    [Fact]
    public void a_due_date_of_right_now_is_invalid()
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Now, "Now"), by: Callers.Admin).ThenInvalid("dueAt");
    }

    [Fact]
    public void a_second_postponement_by_the_owner_is_forbidden()
    {
        Given(Item.Created(), Item.DueDateChanged(Due.AddDays(7), Due, ownerPostponement: true))
            .When(new ChangeDueDate(Due.AddDays(14), "Still late"), by: Callers.Owner)
            .ThenForbidden();
    }

    [Fact]
    public void the_owner_may_postpone_to_exactly_twice_the_default_from_creation()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new ChangeDueDate(OwnerLimit, "Vendor is late"), by: Callers.Owner)
            .Then(new ActionItemDueDateChanged(Id, OwnerLimit, Due, "Vendor is late", true, "alice", Now));
    }

    [Fact]
    public void the_owner_may_not_postpone_beyond_twice_the_default_from_creation()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new ChangeDueDate(OwnerLimit.AddSeconds(1), "Vendor is very late"), by: Callers.Owner)
            .ThenForbidden();
    }

    [Theory]
    [InlineData(Priority.Critical, 14)]
    [InlineData(Priority.High, 60)]
    [InlineData(Priority.Low, 180)]
    public void the_owner_s_limit_is_twice_the_default_for_the_priority(Priority priority, int days)
    {
        var due = Item.DefaultDue(priority);
        var limit = Item.CreatedAt.AddDays(days);
        Given(Item.In(ItemStatus.Open, priority))
            .When(new ChangeDueDate(limit.AddHours(1), "Late"), by: Callers.Owner)
            .ThenForbidden();
        Given(Item.In(ItemStatus.Open, priority))
            .When(new ChangeDueDate(limit, "Late"), by: Callers.Owner)
            .Then(new ActionItemDueDateChanged(Id, limit, due, "Late", true, "alice", Now));
    }

    [Fact]
    public void the_owner_s_limit_follows_the_configured_policy()
    {
        var policy = DueDatePolicy.Default with { Medium = TimeSpan.FromDays(30) };
        Given(Item.Created(dueAt: Item.CreatedAt.AddDays(30)))
            .When(new ChangeDueDate(Item.CreatedAt.AddDays(61), "Late"), by: Callers.Owner, policy: policy)
            .ThenForbidden();
    }

    [Fact]
    public void the_owner_may_bring_the_due_date_forward_without_using_the_postponement()
    {
        var state = Given(Item.In(ItemStatus.Open))
            .When(new ChangeDueDate(Due.AddDays(-20), "Sooner is better"), by: Callers.Owner)
            .Then(new ActionItemDueDateChanged(Id, Due.AddDays(-20), Due, "Sooner is better", false, "alice", Now));

        Assert.Equal(0, state.OwnerPostponements);
    }

    [Fact]
    public void the_owner_may_still_bring_the_due_date_forward_after_postponing()
    {
        Given(Item.Created(), Item.DueDateChanged(Due.AddDays(7), Due, ownerPostponement: true))
            .When(new ChangeDueDate(Due, "Vendor delivered"), by: Callers.Owner)
            .Then(new ActionItemDueDateChanged(Id, Due, Due.AddDays(7), "Vendor delivered", false, "alice", Now));
    }

    [Fact]
    public void the_owner_bringing_it_forward_and_then_postponing_still_has_the_one_postponement()
    {
        var earlier = Due.AddDays(-20);
        Given(Item.Created(), Item.DueDateChanged(earlier, Due, ownerPostponement: false))
            .When(new ChangeDueDate(Due.AddDays(10), "Vendor is late"), by: Callers.Owner)
            .Then(new ActionItemDueDateChanged(Id, Due.AddDays(10), earlier, "Vendor is late", true, "alice", Now));
    }

    [Fact]
    public void a_lead_of_the_team_sets_any_future_date_without_it_counting_as_the_owner_s_postponement()
    {
        var far = Now.AddDays(365);
        Given(Item.Created(), Item.DueDateChanged(Due.AddDays(7), Due, ownerPostponement: true))
            .When(new ChangeDueDate(far, "Needs a new budget"), by: Callers.Lead)
            .Then(new ActionItemDueDateChanged(Id, far, Due.AddDays(7), "Needs a new budget", false, "carol", Now));
    }

    [Fact]
    public void a_lead_may_bring_the_due_date_forward()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new ChangeDueDate(Now.AddDays(1), "Audit next week"), by: Callers.Lead)
            .Then(new ActionItemDueDateChanged(Id, Now.AddDays(1), Due, "Audit next week", false, "carol", Now));
    }

    [Fact]
    public void an_admin_sets_any_future_date()
    {
        var far = Now.AddDays(1000);
        Given(Item.In(ItemStatus.Blocked))
            .When(new ChangeDueDate(far, "Blocked on a rewrite"), by: Callers.Admin)
            .Then(new ActionItemDueDateChanged(Id, far, Due, "Blocked on a rewrite", false, "erin", Now));
    }

    [Fact]
    public void a_postponement_by_a_lead_leaves_the_owner_their_own()
    {
        var byLead = Due.AddDays(5);
        Given(Item.Created(), Item.DueDateChanged(byLead, Due, ownerPostponement: false, by: "carol"))
            .When(new ChangeDueDate(byLead.AddDays(5), "Vendor is late"), by: Callers.Owner)
            .Then(new ActionItemDueDateChanged(Id, byLead.AddDays(5), byLead, "Vendor is late", true, "alice", Now));
    }

    [Fact]
    public void a_team_member_who_is_not_the_owner_may_not_change_the_due_date()
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Due.AddDays(-1), "Sooner"), by: Callers.Member).ThenForbidden();
    }

    [Theory]
    [InlineData(ItemStatus.Done)]
    [InlineData(ItemStatus.WontDo)]
    public void changing_the_due_date_of_a_finished_item_is_a_conflict(ItemStatus finished)
    {
        Given(Item.In(finished)).When(new ChangeDueDate(Due.AddDays(3), "Later"), by: Callers.Lead).ThenConflict();
    }

    [Fact]
    public void an_outsider_re_dating_a_finished_item_is_forbidden_rather_than_told_about_its_state()
    {
        Given(Item.In(ItemStatus.Done)).When(new ChangeDueDate(Due.AddDays(3), "Later"), by: Callers.Outsider).ThenForbidden();
    }

    [Fact]
    public void setting_the_same_due_date_returns_no_events()
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Due, "Same"), by: Callers.Owner).ThenNothing();
    }

    [Fact]
    public void the_same_instant_in_another_offset_is_the_same_due_date()
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Due.ToOffset(TimeSpan.FromHours(2)), "Same"), by: Callers.Owner).ThenNothing();
    }

    [Fact]
    public void re_sending_the_same_date_after_the_one_postponement_returns_no_events()
    {
        Given(Item.Created(), Item.DueDateChanged(Due.AddDays(7), Due, ownerPostponement: true))
            .When(new ChangeDueDate(Due.AddDays(7), "Vendor is late"), by: Callers.Owner)
            .ThenNothing();
    }

    [Fact]
    public void an_outsider_sending_a_past_date_learns_it_is_invalid_first()
    {
        Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Now.AddDays(-3), null), by: Callers.Outsider).ThenInvalid("dueAt", "reason");
    }
}
