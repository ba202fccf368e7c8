namespace ActionTracker.Api.Web;

/// <summary>
/// A form on the item page that was refused, shown again in place with what the person typed
/// (a refusal never throws their words away).
/// </summary>
/// <param name="Form">Which form: <see cref="CommentForm"/> or the status it asked for.</param>
/// <param name="Stale">The page was older than the item, so nothing was changed.</param>
/// <param name="Typed">The form's text fields as sent: name → value.</param>
public sealed record FormRefusal(Guid ItemId, string Form, string Message, bool Stale, IReadOnlyDictionary<string, string?> Typed)
{
    public const string CommentForm = "comment";

    /// <summary>What was typed into a field of the given form, to fill it again; null for other forms.</summary>
    public string? TypedInto(string form, string field) => form == Form ? Typed.GetValueOrDefault(field) : null;
}
