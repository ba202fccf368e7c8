using ActionTracker.Api.Infrastructure.Schema;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems;

/// <summary>Steps for the items' documents that Marten's own schema changes cannot take.</summary>
public sealed class ActionItemsSchema : IMigrationSource
{
    public const string Module = "items";

    public IEnumerable<Migration> Migrations { get; } =
    [
        new(Module, 1, "urgency of items stored before it",
            $"""
            -- Marten adds a duplicated column and fills it from each document's JSON; documents
            -- written before ActionItem.Urgency existed have none in their JSON, so the column is
            -- filled here from the priority (Marten's changes run before these migrations).
            update {ActionItemRows.Table}
               set urgency = array_position(array[{string.Join(", ", Enum.GetNames<Priority>().Select(n => $"'{n}'"))}], priority::text) - 1
             where urgency is null;
            """),
        new(Module, 2, "word statistics for search",
            $"""
            -- The planner picks between walking the sort's index (right for a common word) and
            -- the word index (right for a rare one) by how many items it expects a word to match.
            -- With the default statistics a word outside the ~100 most common is guessed at 0.5% of
            -- all items, and a rare word's search walks most of the table: keep ten times more.
            -- (Marten declares the index; should it ever rebuild it, this setting goes with it.)
            alter index {ActionItemRows.SearchIndex} alter column 1 set statistics 1000;
            -- Counted now rather than at the next automatic analyze: searches plan well at once.
            analyze {ActionItemRows.Table};
            """),
    ];
}
