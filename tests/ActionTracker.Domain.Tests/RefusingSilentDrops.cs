using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>A request carrying new data the state cannot take is a conflict, not a 200 that changes nothing.</summary>
public sealed class RefusingSilentDrops
{
    private static readonly ActionItemCompleted Done = new(Item.Id, "Pinned.", "alice", Now);

    [Fact]
    public void done_again_with_a_new_resolution_is_a_conflict_that_says_what_to_do() =>
        Assert.Contains("reopen", Given(Item.Created(), Done)
            .When(new ChangeStatus(ItemStatus.Done, null, "Pinned and documented."), by: Callers.Owner)
            .ThenConflict().Message);

    [Fact]
    public void done_again_with_the_same_resolution_or_none_changes_nothing()
    {
        Given(Item.Created(), Done).When(new ChangeStatus(ItemStatus.Done, null, "Pinned."), by: Callers.Owner).ThenNothing();
        Given(Item.Created(), Done).When(new ChangeStatus(ItemStatus.Done, null, null), by: Callers.Owner).ThenNothing();
    }

    [Fact]
    public void blocked_again_with_another_reason_is_a_conflict_and_with_the_same_changes_nothing()
    {
        var blocked = new ActionItemBlocked(Item.Id, "Waiting for the vendor.", "alice", Now);
        Given(Item.Created(), blocked).When(new ChangeStatus(ItemStatus.Blocked, "Waiting for budget.", null), by: Callers.Owner).ThenConflict();
        Given(Item.Created(), blocked).When(new ChangeStatus(ItemStatus.Blocked, "Waiting for the vendor.", null), by: Callers.Owner).ThenNothing();
    }
}
