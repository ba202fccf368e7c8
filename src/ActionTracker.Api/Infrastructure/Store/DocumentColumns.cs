using Marten.Schema;

namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>
/// A copy of a document's member in a column of its own, named as the queries name it and with no
/// index of its own: unlike <c>Duplicate(...)</c>, which indexes every column it adds, so that a
/// table gets only the indexes its queries read (each one more write per document change).
/// </summary>
public static class DocumentColumns
{
    /// <summary>Names a document's table (<c>mt_doc_</c> + <paramref name="alias"/>) and gives it the columns and indexes <paramref name="columns"/> adds.</summary>
    public static void MapDocument<TDocument>(this Marten.StoreOptions options, string alias, Action<DocumentMapping> columns)
    {
        options.Schema.For<TDocument>().DocumentAlias(alias);
        options.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType == typeof(TDocument))
                columns(mapping);
        });
    }

    public static void Copy<TDocument>(this DocumentMapping mapping, string member, string column, bool notNull = false) =>
        mapping.DuplicateField([typeof(TDocument).GetProperty(member)!], columnName: column, notNull: notNull);
}
