using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>Values outside the enums never reach the stream, whoever calls the decider.</summary>
public sealed class RejectingUnknownValues
{
    [Fact]
    public void an_undefined_priority_is_an_invalid_command()
    {
        GivenNoItem()
            .When(new CreateActionItem(Item.Id, Item.Title, null, Callers.Team, "alice", (Priority)42, Now.AddDays(3), null, null), by: Callers.Member)
            .ThenInvalid("priority");
    }

    [Fact]
    public void an_undefined_priority_without_a_due_date_is_an_invalid_command()
    {
        GivenNoItem()
            .When(new CreateActionItem(Item.Id, Item.Title, null, Callers.Team, "alice", (Priority)42, null, null, null), by: Callers.Member)
            .ThenInvalid("priority");
    }

    [Fact]
    public void an_undefined_status_is_an_invalid_command()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new ChangeStatus((ItemStatus)42, "x", null), by: Callers.Owner)
            .ThenInvalid("status");
    }
}
