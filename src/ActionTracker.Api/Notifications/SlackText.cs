namespace ActionTracker.Api.Notifications;

/// <summary>
/// Text for a Slack-compatible <c>text</c> field: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> escaped as Slack
/// requires, so a title cannot ping a channel (<c>&lt;!channel&gt;</c>) or dress up a link
/// (<c>&lt;http://x|label&gt;</c>).
/// </summary>
public static class SlackText
{
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
