using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>Who may do what (API.md, "Ownership"): anything not allowed is 403.</summary>
public sealed class Permissions
{
    private const bool Y = true;
    private const bool N = false;

    private static readonly string[] Roles =
        ["member_of_team", "owner", "lead_of_team", "lead_of_other_team", "admin", "service", "outsider"];

    private static readonly (string Command, bool[] Allowed)[] Matrix =
    [
        //                  member owner lead  other-lead admin service outsider
        ("create",        [ Y,     Y,    Y,    N,         Y,    Y,      N ]),
        ("start",         [ N,     Y,    Y,    N,         Y,    N,      N ]),
        ("block",         [ N,     Y,    Y,    N,         Y,    N,      N ]),
        ("complete",      [ N,     Y,    Y,    N,         Y,    N,      N ]),
        ("wont_do",       [ N,     N,    Y,    N,         Y,    N,      N ]),
        ("reopen",        [ N,     N,    Y,    N,         Y,    N,      N ]),
        ("hand_over",     [ N,     Y,    Y,    N,         Y,    N,      N ]),
        ("move_team",     [ N,     N,    Y,    N,         Y,    N,      N ]),
        ("postpone",      [ N,     Y,    Y,    N,         Y,    N,      N ]),
        ("bring_forward", [ N,     Y,    Y,    N,         Y,    N,      N ]),
        ("comment",       [ Y,     Y,    Y,    N,         Y,    N,      N ]),
    ];

    public static TheoryData<string, string, bool> Cases
    {
        get
        {
            var data = new TheoryData<string, string, bool>();
            foreach (var (command, allowed) in Matrix)
                for (var i = 0; i < Roles.Length; i++)
                    data.Add(command, Roles[i], allowed[i]);
            return data;
        }
    }

    private static Caller As(string role) => role switch
    {
        "member_of_team" => Callers.Member,
        "owner" => Callers.Owner,
        "lead_of_team" => Callers.Lead,
        "lead_of_other_team" => Callers.LeadOfOtherTeam,
        "admin" => Callers.Admin,
        "service" => Callers.Service,
        "outsider" => Callers.Outsider,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    private static readonly DateTimeOffset Due = Item.DefaultDue(Priority.Medium);

    /// <summary>A command of each kind, on an item where it is a real change.</summary>
    private static (IActionItemEvent[] Given, ActionItemCommand When) Scenario(string command) => command switch
    {
        "create" => ([], new CreateActionItem(Item.Id, Item.Title, null, Callers.Team, "alice", null, null, null, null)),
        "start" => (Item.In(ItemStatus.Open), new ChangeStatus(ItemStatus.InProgress, null, null)),
        "block" => (Item.In(ItemStatus.InProgress), new ChangeStatus(ItemStatus.Blocked, "Vendor", null)),
        "complete" => (Item.In(ItemStatus.InProgress), new ChangeStatus(ItemStatus.Done, null, "Pinned")),
        "wont_do" => (Item.In(ItemStatus.Open), new ChangeStatus(ItemStatus.WontDo, "Superseded", null)),
        "reopen" => (Item.In(ItemStatus.Done), new ChangeStatus(ItemStatus.Open, "Came back", null)),
        "hand_over" => (Item.In(ItemStatus.Open), new AssignActionItem("zoe", null)),
        "move_team" => (Item.In(ItemStatus.Open), new AssignActionItem("zoe", "search")),
        "postpone" => (Item.In(ItemStatus.Open), new ChangeDueDate(Due.AddDays(7), "Vendor is late")),
        "bring_forward" => (Item.In(ItemStatus.Open), new ChangeDueDate(Due.AddDays(-7), "Audit")),
        "comment" => (Item.In(ItemStatus.Open), new AddComment(Guid.Empty, "Noted.")),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void who_may_do_what(string command, string role, bool allowed)
    {
        var (history, when) = Scenario(command);
        var outcome = Given(history).When(when, by: As(role));
        if (allowed)
            outcome.ThenSomeEvents();
        else
            outcome.ThenForbidden();
    }

    [Fact]
    public void the_matrix_covers_every_role_for_every_command()
    {
        Assert.All(Matrix, row => Assert.Equal(Roles.Length, row.Allowed.Length));
        Assert.Equal(Matrix.Length * Roles.Length, Cases.Count());
    }

    [Fact]
    public void a_lead_role_without_the_team_claim_leads_nothing()
    {
        var leadElsewhere = Caller.Create("carol", [Callers.OtherTeam], [Caller.MemberRole, Caller.LeadRole]);
        Given(Item.In(ItemStatus.Open)).When(new ChangeStatus(ItemStatus.WontDo, "No", null), by: leadElsewhere).ThenForbidden();
    }

    [Fact]
    public void a_member_of_several_teams_who_leads_them_leads_each_of_them()
    {
        var lead = Caller.Create("carol", [Callers.OtherTeam, Callers.Team], [Caller.LeadRole]);
        Given(Item.In(ItemStatus.Open))
            .When(new ChangeStatus(ItemStatus.WontDo, "No", null), by: lead)
            .Then(new ActionItemCancelled(Item.Id, "No", "carol", Now));
    }

    [Fact]
    public void the_owner_who_also_leads_the_team_postpones_as_a_lead()
    {
        var leadingOwner = Caller.Create("alice", [Callers.Team], [Caller.MemberRole, Caller.LeadRole]);
        Given(Item.Created(), Item.DueDateChanged(Due.AddDays(7), Due, ownerPostponement: true))
            .When(new ChangeDueDate(Due.AddDays(300), "Rewrite"), by: leadingOwner)
            .Then(new ActionItemDueDateChanged(Item.Id, Due.AddDays(300), Due.AddDays(7), "Rewrite", false, "alice", Now));
    }

    public static TheoryData<string, ActionItemCommand> InvalidCommands => new()
    {
        { "title", new CreateActionItem(Item.Id, "", null, Callers.Team, "alice", null, null, null, null) },
        { "reason", new ChangeStatus(ItemStatus.Blocked, null, null) },
        { "reason", new ChangeStatus(ItemStatus.WontDo, " ", null) },
        { "resolution", new ChangeStatus(ItemStatus.InProgress, null, "Done?") },
        { "owner", new AssignActionItem("", null) },
        { "dueAt", new ChangeDueDate(Spec.Now.AddDays(-1), "Late") },
        { "text", new AddComment(Guid.Empty, " ") },
    };

    [Theory]
    [MemberData(nameof(InvalidCommands))]
    public void an_outsider_sending_an_invalid_command_gets_invalid_command_not_forbidden(string field, ActionItemCommand command)
    {
        var history = command is CreateActionItem ? [] : Item.In(ItemStatus.Open);
        Given(history).When(command, by: Callers.Outsider).ThenInvalid(field);
    }

    public static TheoryData<ActionItemCommand> CommandsRefusedOnAFinishedItem => new()
    {
        new ChangeStatus(ItemStatus.InProgress, null, null),
        new ChangeStatus(ItemStatus.Done, null, null),
        new AssignActionItem("mallory", null),
        new ChangeDueDate(Spec.Now.AddDays(10), "Later"),
    };

    [Theory]
    [MemberData(nameof(CommandsRefusedOnAFinishedItem))]
    public void an_outsider_is_forbidden_before_learning_the_item_is_finished(ActionItemCommand command)
    {
        Given(Item.In(ItemStatus.WontDo)).When(command, by: Callers.Outsider).ThenForbidden();
    }
}
