using static ActionTracker.Domain.Tests.Spec;

namespace ActionTracker.Domain.Tests;

/// <summary>Text that would mislead a reader (a terminal, a page, a chat client) is refused, field by field.</summary>
public sealed class RefusingUnsafeText
{
    private static CreateActionItem Create(string title, string? description = null, IReadOnlyList<string>? labels = null) =>
        new(Item.Id, title, description, Callers.Team, "alice", null, null, null, labels);

    [Theory]
    [InlineData("Ring the bell\u0007 now")]
    [InlineData("\u001b[31mRed alert\u001b[0m in the title")]
    [InlineData("Erase\b\b\b the past")]
    [InlineData("Pay invoice \u202Egnp.exe")]
    [InlineData("Isolate \u2067this\u2069 text")]
    [InlineData("Zero\u200Bwidth space inside")]
    [InlineData("A C1 control \u0085 inside")]
    [InlineData("Two\nlines in a title")]
    public void a_title_with_control_bidi_or_invisible_characters_is_invalid(string title) =>
        GivenNoItem().When(Create(title), by: Callers.Member).ThenInvalid("title");

    [Fact]
    public void a_description_keeps_its_line_breaks_and_tabs_but_not_escape_sequences()
    {
        GivenNoItem()
            .When(Create("Pin the controller", description: "Steps:\n\t1. pin\r\n\t2. upgrade on purpose"), by: Callers.Member)
            .ThenSomeEvents();
        GivenNoItem()
            .When(Create("Pin the controller", description: "Steps \u001b[2J cleared"), by: Callers.Member)
            .ThenInvalid("description");
    }

    [Fact]
    public void emoji_and_scripts_joined_with_zero_width_joiners_are_text()
    {
        GivenNoItem()
            .When(Create("Ask the on-call \U0001F469\u200D\U0001F4BB to pin it"), by: Callers.Member)
            .ThenSomeEvents();
    }

    [Fact]
    public void a_label_with_a_control_character_is_invalid() =>
        GivenNoItem().When(Create("Pin the controller", labels: ["ok", "bad\u0007"]), by: Callers.Member).ThenInvalid("labels");
}
