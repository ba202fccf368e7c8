using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Web;

/// <summary>
/// What a page says after a form, named by a key in its address (<c>?done=comment</c>,
/// <c>?error=reason</c>) and worded here: an address anyone can write never puts its own words
/// on the page in the site's voice (issues 30.9 and 32.3). An unknown key says nothing.
/// </summary>
public static class PageNotices
{
    public const string StatusChanged = "status";
    public const string CommentAdded = "comment";

    public const string NotAllowed = "not-permitted";
    public const string NotNow = "not-now";
    public const string Invalid = "invalid";

    /// <summary>The form fields whose refusal has words of its own, in the order a refusal names them.</summary>
    private static readonly string[] Fields = ["status", "reason", "resolution", "text"];

    private static readonly Dictionary<string, string> Errors = new(StringComparer.Ordinal)
    {
        [NotAllowed] = "This change is not yours to make: the buttons on this page are what you may do.",
        [NotNow] = "The item's current status does not allow that change.",
        [Invalid] = "The form had a value that could not be taken.",
        ["status"] = "Choose one of the status buttons.",
        ["reason"] = $"Give a reason, at most {ActionItemDecider.MaxReason} characters of text.",
        ["resolution"] = $"A resolution is at most {ActionItemDecider.MaxText} characters of text, and only for completing.",
        ["text"] = $"Write a comment of 1 to {ActionItemDecider.MaxText} characters of text.",
    };

    /// <summary>The notice of a done key, worded with the item as it is now; null for any other value.</summary>
    public static string? Done(string? key, ActionItem item) => key switch
    {
        StatusChanged => $"Now {ItemActions.Describe(item.Status)}.",
        CommentAdded => "Comment added.",
        _ => null,
    };

    /// <summary>The words of an error key; null for any other value.</summary>
    public static string? Error(string? key) => key is not null && Errors.TryGetValue(key, out var text) ? text : null;

    /// <summary>The key for a refusal: its first field with words of its own, else what kind of refusal it was.</summary>
    public static string ErrorKey(DomainException refusal) => refusal switch
    {
        InvalidCommand invalid => Fields.FirstOrDefault(invalid.Errors.ContainsKey) ?? Invalid,
        NotPermitted => NotAllowed,
        _ => NotNow,
    };
}
