using Xunit.Sdk;
using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>The spec helper fails when it should, so a passing spec means something.</summary>
public sealed class SpecSelfChecks
{
    private static Spec.Outcome StartingWork() =>
        Given(Item.In(ItemStatus.Open)).When(new ChangeStatus(ItemStatus.InProgress, null, null), by: Callers.Owner);

    private static Spec.Outcome Refused() =>
        Given(Item.In(ItemStatus.Open)).When(new ChangeStatus(ItemStatus.InProgress, null, null), by: Callers.Outsider);

    [Fact]
    public void then_fails_when_an_event_differs()
    {
        Assert.ThrowsAny<XunitException>(() => StartingWork().Then(new ActionItemStarted(Item.Id, "bob", Now)));
    }

    [Fact]
    public void then_fails_when_an_event_is_missing_or_extra()
    {
        Assert.ThrowsAny<XunitException>(() => StartingWork().Then());
        Assert.ThrowsAny<XunitException>(() => StartingWork().Then(
            new ActionItemStarted(Item.Id, "alice", Now), new ActionItemStarted(Item.Id, "alice", Now)));
    }

    [Fact]
    public void then_fails_when_the_event_has_another_type_with_the_same_fields()
    {
        Assert.ThrowsAny<XunitException>(() => StartingWork().Then(new ActionItemWorkStopped(Item.Id, "alice", Now)));
    }

    [Fact]
    public void then_compares_label_lists_by_content()
    {
        var command = new CreateActionItem(Item.Id, "T", null, Callers.Team, "alice", null, null, null, ["a", "b"]);
        var outcome = GivenNoItem().When(command, by: Callers.Owner);
        outcome.Then(new ActionItemCreated(Item.Id, "T", null, Callers.Team, "alice", Priority.Medium, Now.AddDays(60), null, new List<string> { "a", "b" }, "alice", Now));
        Assert.ThrowsAny<XunitException>(() => outcome.Then(
            new ActionItemCreated(Item.Id, "T", null, Callers.Team, "alice", Priority.Medium, Now.AddDays(60), null, ["b", "a"], "alice", Now)));
    }

    [Fact]
    public void then_and_then_nothing_fail_when_the_decider_refuses()
    {
        Assert.ThrowsAny<XunitException>(() => Refused().Then(new ActionItemStarted(Item.Id, "mallory", Now)));
        Assert.ThrowsAny<XunitException>(() => Refused().ThenNothing());
        Assert.ThrowsAny<XunitException>(() => Refused().ThenSomeEvents());
    }

    [Fact]
    public void then_nothing_fails_when_there_are_events()
    {
        Assert.ThrowsAny<XunitException>(() => StartingWork().ThenNothing());
    }

    [Fact]
    public void error_expectations_fail_on_events_or_on_another_error()
    {
        Assert.ThrowsAny<XunitException>(() => StartingWork().ThenForbidden());
        Assert.ThrowsAny<XunitException>(() => Refused().ThenConflict());
        Assert.ThrowsAny<XunitException>(() => Refused().ThenInvalid("status"));
        Refused().ThenForbidden();
    }

    [Fact]
    public void then_invalid_fails_unless_exactly_the_named_fields_are_invalid()
    {
        var outcome = Given(Item.In(ItemStatus.Open)).When(new ChangeDueDate(Now.AddDays(-1), null), by: Callers.Owner);
        outcome.ThenInvalid("reason", "dueAt");
        Assert.ThrowsAny<XunitException>(() => outcome.ThenInvalid("reason"));
        Assert.ThrowsAny<XunitException>(() => outcome.ThenInvalid("reason", "dueAt", "text"));
    }
}
