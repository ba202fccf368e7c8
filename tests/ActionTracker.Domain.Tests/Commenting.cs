using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

public sealed class Commenting
{
    private static readonly Guid Id = Item.Id;
    private static readonly Guid CommentId = Guid.Parse("0197d3b0-aaaa-7a61-9c1e-2f4c1b0e9d11");

    [Fact]
    public void a_team_member_comments_with_trimmed_text()
    {
        var state = Given(Item.In(ItemStatus.Open))
            .When(new AddComment(CommentId, "  Vendor says Friday.\n"), by: Callers.Member)
            .Then(new ActionItemCommented(Id, CommentId, "Vendor says Friday.", "bob", Now));

        Assert.Equal(1, state.Comments);
        Assert.Equal(Now, state.UpdatedAt);
    }

    [Fact]
    public void the_owner_from_another_team_comments()
    {
        Given(Item.Created(owner: "frank"))
            .When(new AddComment(CommentId, "On it."), by: Callers.OwnerFromOtherTeam)
            .Then(new ActionItemCommented(Id, CommentId, "On it.", "frank", Now));
    }

    [Fact]
    public void a_lead_of_the_team_comments()
    {
        Given(Item.In(ItemStatus.Blocked))
            .When(new AddComment(CommentId, "Escalated to the vendor."), by: Callers.Lead)
            .Then(new ActionItemCommented(Id, CommentId, "Escalated to the vendor.", "carol", Now));
    }

    [Fact]
    public void an_admin_comments_on_any_item()
    {
        Given(Item.In(ItemStatus.Open))
            .When(new AddComment(CommentId, "Audit note."), by: Callers.Admin)
            .Then(new ActionItemCommented(Id, CommentId, "Audit note.", "erin", Now));
    }

    [Fact]
    public void an_outsider_may_not_comment()
    {
        Given(Item.In(ItemStatus.Open)).When(new AddComment(CommentId, "Hi!"), by: Callers.Outsider).ThenForbidden();
    }

    [Fact]
    public void a_lead_of_another_team_may_not_comment()
    {
        Given(Item.In(ItemStatus.Open)).When(new AddComment(CommentId, "Hi!"), by: Callers.LeadOfOtherTeam).ThenForbidden();
    }

    [Fact]
    public void a_service_outside_the_team_may_not_comment()
    {
        Given(Item.In(ItemStatus.Open)).When(new AddComment(CommentId, "Beep."), by: Callers.Service).ThenForbidden();
    }

    [Fact]
    public void a_previous_owner_outside_the_team_may_no_longer_comment_after_a_handover()
    {
        Given(Item.Created(owner: "frank"), Item.Assigned("alice", previousOwner: "frank"))
            .When(new AddComment(CommentId, "Still here."), by: Callers.OwnerFromOtherTeam)
            .ThenForbidden();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \n ")]
    public void an_empty_comment_is_invalid(string? text)
    {
        Given(Item.In(ItemStatus.Open)).When(new AddComment(CommentId, text!), by: Callers.Member).ThenInvalid("text");
    }

    [Fact]
    public void a_comment_of_4000_characters_is_accepted()
    {
        var text = new string('c', 4000);
        Given(Item.In(ItemStatus.Open))
            .When(new AddComment(CommentId, text), by: Callers.Member)
            .Then(new ActionItemCommented(Id, CommentId, text, "bob", Now));
    }

    [Fact]
    public void a_comment_longer_than_4000_characters_is_invalid()
    {
        Given(Item.In(ItemStatus.Open)).When(new AddComment(CommentId, new string('c', 4001)), by: Callers.Member).ThenInvalid("text");
    }

    [Fact]
    public void an_outsider_sending_an_empty_comment_learns_it_is_invalid_first()
    {
        Given(Item.In(ItemStatus.Open)).When(new AddComment(CommentId, ""), by: Callers.Outsider).ThenInvalid("text");
    }

    [Theory]
    [InlineData(ItemStatus.Done)]
    [InlineData(ItemStatus.WontDo)]
    public void comments_are_allowed_on_finished_items(ItemStatus finished)
    {
        var state = Given(Item.In(finished))
            .When(new AddComment(CommentId, "Verified in production."), by: Callers.Member)
            .Then(new ActionItemCommented(Id, CommentId, "Verified in production.", "bob", Now));

        Assert.Equal(finished, state.Status);
    }
}
