using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

public sealed class Creating
{
    private static readonly ItemSource Postmortem = new("postmortem", "pm-2021-02-19-flux", "Flux unintended version update");

    private static CreateActionItem Create(
        string title = Item.Title, string? description = null, string team = Callers.Team, string owner = "alice",
        Priority? priority = null, DateTimeOffset? dueAt = null, ItemSource? source = null, IReadOnlyList<string>? labels = null) =>
        new(Item.Id, title, description, team, owner, priority, dueAt, source, labels);

    private static ActionItemCreated Created(
        string title = Item.Title, string? description = null, string team = Callers.Team, string owner = "alice",
        Priority priority = Priority.Medium, DateTimeOffset? dueAt = null, ItemSource? source = null,
        IReadOnlyList<string>? labels = null, string by = "bob") =>
        new(Item.Id, title, description, team, owner, priority, dueAt ?? Now.AddDays(60), source, labels ?? [], by, Now);

    [Fact]
    public void a_team_member_creates_an_item_with_every_field()
    {
        var due = new DateTimeOffset(2026, 12, 22, 23, 59, 59, TimeSpan.Zero);
        var state = GivenNoItem()
            .When(Create(description: "Pin the GitOps component.", priority: Priority.High, dueAt: due, source: Postmortem, labels: ["gitops", "flux"]),
                by: Callers.Member)
            .Then(Created(description: "Pin the GitOps component.", priority: Priority.High, dueAt: due, source: Postmortem, labels: ["gitops", "flux"]));

        Assert.Equal(ItemStatus.Open, state.Status);
        Assert.Equal("alice", state.Owner);
        Assert.Equal(Now, state.CreatedAt);
    }

    [Fact]
    public void title_and_owner_are_trimmed_and_a_blank_description_is_dropped()
    {
        GivenNoItem()
            .When(Create(title: "  Version lock Flux \n", owner: " alice ", description: "   "), by: Callers.Member)
            .Then(Created());
    }

    [Fact]
    public void the_description_is_trimmed()
    {
        GivenNoItem()
            .When(Create(description: "  Pin it.  "), by: Callers.Member)
            .Then(Created(description: "Pin it."));
    }

    [Fact]
    public void without_a_priority_the_item_is_medium_and_due_in_sixty_days()
    {
        GivenNoItem()
            .When(Create(priority: null, dueAt: null), by: Callers.Member)
            .Then(Created(priority: Priority.Medium, dueAt: Now.AddDays(60)));
    }

    [Theory]
    [InlineData(Priority.Critical, 7)]
    [InlineData(Priority.High, 30)]
    [InlineData(Priority.Medium, 60)]
    [InlineData(Priority.Low, 90)]
    public void without_a_due_date_the_default_for_the_priority_applies(Priority priority, int days)
    {
        GivenNoItem()
            .When(Create(priority: priority), by: Callers.Member)
            .Then(Created(priority: priority, dueAt: Now.AddDays(days)));
    }

    [Fact]
    public void the_default_due_date_comes_from_the_configured_policy()
    {
        var policy = DueDatePolicy.Default with { High = TimeSpan.FromDays(14) };
        GivenNoItem()
            .When(Create(priority: Priority.High), by: Callers.Member, policy: policy)
            .Then(Created(priority: Priority.High, dueAt: Now.AddDays(14)));
    }

    [Fact]
    public void an_explicit_due_date_wins_over_the_default()
    {
        GivenNoItem()
            .When(Create(priority: Priority.Critical, dueAt: Now.AddDays(3)), by: Callers.Member)
            .Then(Created(priority: Priority.Critical, dueAt: Now.AddDays(3)));
    }

    [Fact]
    public void a_member_may_set_a_due_date_up_to_twice_the_default()
    {
        GivenNoItem()
            .When(Create(priority: Priority.Critical, dueAt: Now.AddDays(14)), by: Callers.Member)
            .Then(Created(priority: Priority.Critical, dueAt: Now.AddDays(14)));
    }

    [Fact]
    public void a_member_may_not_set_a_due_date_beyond_twice_the_default()
    {
        GivenNoItem()
            .When(Create(priority: Priority.Critical, dueAt: new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero)), by: Callers.Member)
            .ThenForbidden();
        GivenNoItem()
            .When(Create(priority: Priority.Critical, dueAt: Now.AddDays(14).AddSeconds(1)), by: Callers.Service)
            .ThenForbidden();
    }

    [Fact]
    public void a_lead_of_the_team_or_an_admin_may_set_any_future_due_date()
    {
        var far = Now.AddYears(3);
        GivenNoItem()
            .When(Create(priority: Priority.Critical, dueAt: far), by: Callers.Lead)
            .Then(Created(priority: Priority.Critical, dueAt: far, by: "carol"));
        GivenNoItem()
            .When(Create(priority: Priority.Critical, dueAt: far), by: Callers.Admin)
            .Then(Created(priority: Priority.Critical, dueAt: far, by: "erin"));
    }

    [Fact]
    public void labels_are_trimmed_and_duplicates_dropped_in_their_first_order()
    {
        GivenNoItem()
            .When(Create(labels: [" gitops", "flux ", "gitops", "Flux"]), by: Callers.Member)
            .Then(Created(labels: ["gitops", "flux", "Flux"]));
    }

    [Fact]
    public void twenty_labels_are_accepted()
    {
        string[] labels = [.. Enumerable.Range(1, 20).Select(i => $"label-{i}")];
        GivenNoItem()
            .When(Create(labels: labels), by: Callers.Member)
            .Then(Created(labels: labels));
    }

    [Fact]
    public void duplicate_labels_do_not_count_towards_the_limit()
    {
        string[] labels = [.. Enumerable.Range(1, 20).Select(i => $"label-{i}")];
        GivenNoItem()
            .When(Create(labels: [.. labels, "label-1", " label-2 "]), by: Callers.Member)
            .Then(Created(labels: labels));
    }

    [Fact]
    public void a_service_creates_an_item_for_a_team_it_does_not_belong_to()
    {
        GivenNoItem()
            .When(Create(source: Postmortem), by: Callers.Service)
            .Then(Created(source: Postmortem, by: "postmortem-bot"));
    }

    [Fact]
    public void an_admin_creates_an_item_for_any_team()
    {
        GivenNoItem()
            .When(Create(team: "search"), by: Callers.Admin)
            .Then(Created(team: "search", by: "erin"));
    }

    [Fact]
    public void a_member_of_another_team_may_not_create_an_item_for_this_team()
    {
        GivenNoItem().When(Create(), by: Callers.Outsider).ThenForbidden();
    }

    [Fact]
    public void a_lead_of_another_team_may_not_create_an_item_for_this_team()
    {
        GivenNoItem().When(Create(), by: Callers.LeadOfOtherTeam).ThenForbidden();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void the_title_is_required(string? title)
    {
        GivenNoItem().When(Create(title: title!), by: Callers.Member).ThenInvalid("title");
    }

    [Fact]
    public void a_title_of_200_characters_is_accepted()
    {
        var title = new string('t', 200);
        GivenNoItem()
            .When(Create(title: $"  {title}  "), by: Callers.Member)
            .Then(Created(title: title));
    }

    [Fact]
    public void a_title_longer_than_200_characters_is_invalid()
    {
        GivenNoItem().When(Create(title: new string('t', 201)), by: Callers.Member).ThenInvalid("title");
    }

    [Fact]
    public void a_description_longer_than_4000_characters_is_invalid()
    {
        GivenNoItem().When(Create(description: new string('d', 4001)), by: Callers.Member).ThenInvalid("description");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Platform")]
    [InlineData("platform team")]
    [InlineData(" platform")]
    [InlineData("-platform")]
    [InlineData("platform_ops")]
    [InlineData("plätform")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void the_team_must_be_a_slug(string team)
    {
        GivenNoItem().When(Create(team: team), by: Callers.Admin).ThenInvalid("team");
    }

    [Theory]
    [InlineData("p")]
    [InlineData("0ps")]
    [InlineData("site-reliability-2")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012")]
    public void a_slug_of_1_to_63_lower_case_letters_digits_and_dashes_is_a_team(string team)
    {
        GivenNoItem()
            .When(Create(team: team), by: Callers.Admin)
            .Then(Created(team: team, by: "erin"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("alice smith")]
    [InlineData(".alice")]
    [InlineData("alice/bob")]
    public void the_owner_must_be_a_user_id(string owner)
    {
        GivenNoItem().When(Create(owner: owner), by: Callers.Member).ThenInvalid("owner");
    }

    [Fact]
    public void more_than_20_labels_are_invalid()
    {
        GivenNoItem()
            .When(Create(labels: [.. Enumerable.Range(1, 21).Select(i => $"label-{i}")]), by: Callers.Member)
            .ThenInvalid("labels");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123456789012345678901234567890123456789012345678901")]
    public void a_label_has_1_to_50_characters(string label)
    {
        GivenNoItem().When(Create(labels: ["gitops", label]), by: Callers.Member).ThenInvalid("labels");
    }

    [Fact]
    public void a_due_date_in_the_past_is_invalid()
    {
        GivenNoItem().When(Create(dueAt: Now.AddDays(-1)), by: Callers.Member).ThenInvalid("dueAt");
    }

    [Fact]
    public void a_due_date_of_right_now_is_invalid()
    {
        GivenNoItem().When(Create(dueAt: Now), by: Callers.Member).ThenInvalid("dueAt");
    }

    [Fact]
    public void a_due_date_a_second_from_now_is_accepted()
    {
        GivenNoItem()
            .When(Create(dueAt: Now.AddSeconds(1)), by: Callers.Member)
            .Then(Created(dueAt: Now.AddSeconds(1)));
    }

    [Fact]
    public void a_source_needs_a_kind()
    {
        GivenNoItem()
            .When(Create(source: new ItemSource(" ", "pm-1", null)), by: Callers.Service)
            .ThenInvalid("source.kind");
    }

    [Fact]
    public void a_source_ref_and_title_have_at_most_200_characters()
    {
        GivenNoItem()
            .When(Create(source: new ItemSource("postmortem", new string('r', 201), new string('t', 201))), by: Callers.Service)
            .ThenInvalid("source.ref", "source.title");
    }

    [Fact]
    public void every_invalid_field_is_reported_at_once()
    {
        GivenNoItem()
            .When(Create(title: "", team: "Platform", owner: "", dueAt: Now.AddHours(-1), labels: [""]), by: Callers.Admin)
            .ThenInvalid("title", "team", "owner", "dueAt", "labels");
    }

    [Fact]
    public void an_outsider_sending_an_invalid_command_learns_it_is_invalid_before_being_forbidden()
    {
        GivenNoItem().When(Create(title: " "), by: Callers.Outsider).ThenInvalid("title");
    }

    [Fact]
    public void creating_an_item_that_already_exists_is_a_conflict()
    {
        Given(Item.Created()).When(Create(), by: Callers.Member).ThenConflict();
    }

    public static TheoryData<ActionItemCommand> CommandsOnAnExistingItem => new()
    {
        new ChangeStatus(ItemStatus.InProgress, null, null),
        new AssignActionItem("bob", null),
        new ChangeDueDate(Spec.Now.AddDays(5), "later"),
        new AddComment(Guid.Empty, "hello"),
    };

    /// <summary>The API answers 404 for an unknown id before it decides; the decider itself refuses with a conflict.</summary>
    [Theory]
    [MemberData(nameof(CommandsOnAnExistingItem))]
    public void a_command_on_an_item_that_does_not_exist_is_refused(ActionItemCommand command)
    {
        GivenNoItem().When(command, by: Callers.Admin).ThenConflict();
    }
}
