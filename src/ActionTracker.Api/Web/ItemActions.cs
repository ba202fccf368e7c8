using ActionTracker.Api.ActionItems;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Web;

/// <summary>A status change the page offers: the button's words, the status it asks for, and what it must say with it.</summary>
public sealed record StatusAction(string Label, ItemStatus Status, bool NeedsReason = false, bool TakesResolution = false);

/// <summary>
/// Which status changes the caller may make to the item, asked of the domain's own decider (a
/// pure function): a button is shown exactly when the same request through the API would be
/// accepted, with a reason filled in where one is needed.
/// </summary>
public static class ItemActions
{
    private static readonly StatusAction[] Candidates =
    [
        new("Start", ItemStatus.InProgress),
        new("Stop work", ItemStatus.Open),
        new("Block", ItemStatus.Blocked, NeedsReason: true),
        new("Complete", ItemStatus.Done, TakesResolution: true),
        new("Won't do", ItemStatus.WontDo, NeedsReason: true),
        new("Reopen", ItemStatus.Open),
    ];

    public static IReadOnlyList<StatusAction> For(ActionItem item, Caller caller, DateTimeOffset now, DueDatePolicy policy)
    {
        var context = new DecisionContext(caller, now, policy);
        var allowed = new List<StatusAction>();
        foreach (var action in Candidates)
        {
            if (action.Status == item.Status || allowed.Any(a => a.Status == action.Status))
                continue;
            try
            {
                var events = ActionItemDecider.Decide(item, new ChangeStatus(action.Status, action.NeedsReason ? "reason" : null, null), context);
                if (events.Count > 0)
                    allowed.Add(action);
            }
            catch (DomainException)
            {
                // Not for this caller, or not from this state: no button.
            }
        }
        return allowed;
    }

    public static string Describe(ItemStatus status) => status.Name().Replace('_', ' ');
}
