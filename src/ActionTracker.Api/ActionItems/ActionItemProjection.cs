using ActionTracker.Domain.ActionItems;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// Marten folds each item's stream with the domain's pure <see cref="ActionItem.Evolve"/>; the
/// result is the item's document, written inline with the events (the read model and the state
/// commands read for writing).
/// </summary>
public sealed class ActionItemProjection : SingleStreamProjection<ActionItem, Guid>
{
    public override ActionItem? Evolve(ActionItem? snapshot, Guid id, IEvent e) =>
        e.Data is IActionItemEvent change ? ActionItem.Evolve(snapshot, change) : snapshot;
}
