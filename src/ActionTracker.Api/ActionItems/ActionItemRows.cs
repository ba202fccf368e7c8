using ActionTracker.Domain.ActionItems;
using Marten;
using Npgsql;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// The items' documents as Marten keeps them inline with the events (<see cref="ActionItemProjection"/>):
/// the JSON of <see cref="ActionItem"/>, the stream version, and indexed copies of the fields that
/// lists filter and sort on. Reads that need SQL Marten's LINQ cannot say go through these names.
/// </summary>
public sealed class ActionItemRows(IDocumentStore store)
{
    public const string Table = "mt_doc_action_item";

    /// <summary>
    /// The words of an item for <c>q</c>: title and description, lower-cased and unstemmed (the
    /// <c>simple</c> configuration: "every word must match" means the words typed, in any case).
    /// The GIN index in <c>MartenStore</c> is declared on this very expression, so searches use it.
    /// </summary>
    public const string SearchConfig = "simple";

    public const string SearchText = "(coalesce(data ->> 'title', '') || ' ' || coalesce(data ->> 'description', ''))";

    public const string SearchIndex = "mt_doc_action_item_search";

    public const string SearchVector = $"to_tsvector('{SearchConfig}'::regconfig, {SearchText})";

    /// <summary>The labels as JSON, for containment (<c>@&gt;</c>) under their GIN index.</summary>
    public const string LabelsJson = "((data ->> 'labels')::jsonb)";

    /// <summary>Select these, in this order, for <see cref="Read"/>.</summary>
    public const string Columns = "data, mt_version";

    /// <summary>Statuses as stored in the <c>status</c> column (the enum's names).</summary>
    public static readonly string OpenStatuses = $"({string.Join(", ", ItemStatusExtensions.Open.Select(s => $"'{s}'"))})";

    /// <summary>Reads a row selected with <see cref="Columns"/> (from column <paramref name="first"/> on).</summary>
    public (ActionItem Item, long Version) Read(NpgsqlDataReader reader, int first = 0) =>
        (store.Options.Serializer().FromJson<ActionItem>(reader, first), reader.GetInt64(first + 1));
}
