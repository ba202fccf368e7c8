using Marten.Schema;

namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>
/// A copy of a document's member in a column of its own, named as the queries name it and with no
/// index of its own: unlike <c>Duplicate(...)</c>, which indexes every column it adds, so that a
/// table gets only the indexes its queries read (each one more write per document change).
/// </summary>
public static class DocumentColumns
{
    public static void Copy<TDocument>(this DocumentMapping mapping, string member, string column, bool notNull = false) =>
        mapping.DuplicateField([typeof(TDocument).GetProperty(member)!], columnName: column, notNull: notNull);
}
