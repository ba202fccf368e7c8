using ActionTracker.Domain.ActionItems;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Postgresql.Tables;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// The items in Marten: their events (stored and wire names are the records' names in
/// snake_case, Marten's classic naming), and each item's document, folded inline by the pure
/// <see cref="ActionItem.Evolve"/> in the append transaction, with a column and an index for
/// every list filter.
/// </summary>
public static class ItemStore
{
    public static IServiceCollection AddItemStore(this IServiceCollection services) =>
        services.ConfigureMarten(options =>
        {
            options.Events.AddEventTypes(ActionItemEvents.All);
            options.Projections.Add(new ActionItemProjection(), ProjectionLifecycle.Inline);
            options.Schema.For<ActionItem>().DocumentAlias("action_item")
                .Duplicate(x => x.Team, notNull: true)
                .Duplicate(x => x.Owner, notNull: true)
                .Duplicate(x => x.Status, notNull: true)
                .Duplicate(x => x.Priority, notNull: true)
                .Duplicate(x => x.DueAt, notNull: true)
                .Duplicate(x => x.CreatedAt, notNull: true)
                .Duplicate(x => x.UpdatedAt)
                .Duplicate(x => x.Urgency)
                .Duplicate(x => x.CompletedAt)
                .Duplicate(x => x.Source!.Ref, configure: index => index.Predicate = "sourceref is not null")
                // The list's q and label filters (ActionItemRows says why these expressions).
                .FullTextIndex(ActionItemRows.SearchConfig, index =>
                {
                    index.Name = ActionItemRows.SearchIndex;
                    index.DocumentConfig = ActionItemRows.SearchText;
                })
                // sort=priority: most urgent first, then the one due first, then the id.
                .Index([x => x.Urgency, x => x.DueAt, x => x.Id], index => index.Name = "mt_doc_action_item_priority_order")
                .Index(x => x.Labels, index =>
                {
                    index.Name = "mt_doc_action_item_labels";
                    index.Method = IndexMethod.gin;
                });
        });
}
