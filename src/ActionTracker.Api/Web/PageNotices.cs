using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Web;

/// <summary>
/// What a page says after a form succeeded, named by a key in its address (<c>?done=comment</c>)
/// and worded here: an address anyone can write never puts its own words on the page in the
/// site's voice (issues 30.9 and 32.3). An unknown key says nothing. A refusal is not a redirect:
/// the page is shown again in the refusing response (<see cref="ItemForms"/>).
/// </summary>
public static class PageNotices
{
    public const string StatusChanged = "status";
    public const string CommentAdded = "comment";

    /// <summary>The notice of a done key, worded with the item as it is now; null for any other value.</summary>
    public static string? Done(string? key, ActionItem item) => key switch
    {
        StatusChanged => $"Now {ItemActions.Describe(item.Status)}.",
        CommentAdded => "Comment added.",
        _ => null,
    };
}
