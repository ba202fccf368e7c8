using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace ActionTracker.EventStore.Projections;

/// <summary>
/// A read model built after the fact from the global event order by the projection daemon:
/// it may lag a little behind the writes, and in exchange costs the write path nothing and can
/// be rebuilt from the events at any time.
/// </summary>
public interface IAsyncProjection
{
    /// <summary>Unique name; also the checkpoint's key.</summary>
    string Name { get; }

    /// <summary>Bump when the tables or the logic change: the daemon then rebuilds from scratch.</summary>
    int Version { get; }

    /// <summary>The tables the projection owns, rebuilt under other names and swapped in.</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>
    /// DDL for the tables and their primary keys, each name passed through <paramref name="table"/>;
    /// <paramref name="unlogged"/> is "unlogged " while rebuilding (the twin tables skip the WAL
    /// until they are swapped in).
    /// </summary>
    string CreateTables(Func<string, string> table, string unlogged = "");

    /// <summary>
    /// DDL for the secondary indexes (unnamed), separate so that a rebuild creates them once, in
    /// bulk, after the tables are filled.
    /// </summary>
    string CreateIndexes(Func<string, string> table);

    /// <summary>Applies a page of events in the runner's transaction.</summary>
    Task Apply(IReadOnlyList<StoredEvent> events, ProjectionWriter writer, CancellationToken ct);
}

/// <summary>Where a projection writes: the runner's transaction and the current table names.</summary>
public sealed class ProjectionWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, Func<string, string> table)
{
    public NpgsqlConnection Connection { get; } = connection;
    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>The name to use for a table: the live one, or its rebuild twin during a rebuild.</summary>
    public string Table(string name) => table(name);

    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);
}

/// <summary>
/// A projection of one JSON document per id (like a Marten document projection): each event
/// names the document it touches and folds into it. A page is applied with one read of the
/// documents it touches and one write, so a rebuild costs a few statements per thousand events.
/// Columns the reports filter on are generated from the document in SQL. A projection may also
/// keep summary tables up to date from each document's change (before and after the page).
/// </summary>
public abstract class DocumentProjection<TDocument> : IAsyncProjection where TDocument : class
{
    private readonly JsonSerializerOptions _json;

    protected DocumentProjection(JsonSerializerOptions json) => _json = json;

    public abstract string Name { get; }
    public abstract int Version { get; }
    protected abstract string Table { get; }

    /// <summary>Generated columns (leading comma) for the table, e.g. <c>, team text generated always as (data->>'team') stored</c>.</summary>
    protected abstract string Columns { get; }

    /// <summary>Index definitions on the table, e.g. <c>create index on {0} (team);</c> with {0} the table name.</summary>
    protected abstract string Indexes { get; }

    /// <summary>The document an event touches, or null when it touches none.</summary>
    protected abstract Guid? DocumentId(StoredEvent e);

    /// <summary>
    /// True for an event that starts its document from nothing (a creation): when a page holds
    /// a document's start, there is nothing stored to load for it.
    /// </summary>
    protected virtual bool Starts(StoredEvent e) => false;

    /// <summary>The document after the event; null deletes it.</summary>
    protected abstract TDocument? Apply(TDocument? document, StoredEvent e);

    /// <summary>Summary tables besides the document table, with their DDL ({0} is each table's name in order).</summary>
    protected virtual IReadOnlyList<(string Name, string Ddl)> SummaryTables => [];

    /// <summary>Writes what the page's document changes do to the summary tables.</summary>
    protected virtual void Summarize(IReadOnlyList<(TDocument? Before, TDocument? After)> changes, NpgsqlBatch batch, Func<string, string> table)
    {
    }

    public IReadOnlyList<string> Tables => [Table, .. SummaryTables.Select(t => t.Name)];

    public string CreateTables(Func<string, string> table, string unlogged = "") =>
        // Room on each page lets a document's update stay on its page (a HOT update, no new index entries).
        $"create {unlogged}table {table(Table)} (id uuid primary key, data jsonb not null {Columns}) with (fillfactor = 70);\n" +
        string.Concat(SummaryTables.Select(t =>
            string.Format(System.Globalization.CultureInfo.InvariantCulture, t.Ddl, $"{unlogged}table {table(t.Name)}") + ";\n"));

    public string CreateIndexes(Func<string, string> table) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Indexes, table(Table));

    public async Task Apply(IReadOnlyList<StoredEvent> events, ProjectionWriter writer, CancellationToken ct)
    {
        // Documents whose first event here is their start need no load: nothing is stored yet.
        var firsts = new Dictionary<Guid, bool>();
        foreach (var e in events)
            if (DocumentId(e) is { } id)
                firsts.TryAdd(id, Starts(e));
        if (firsts.Count == 0)
            return;
        var table = writer.Table(Table);

        var before = new Dictionary<Guid, TDocument?>(firsts.Count);
        var toLoad = firsts.Where(f => !f.Value).Select(f => f.Key).ToArray();
        if (toLoad.Length > 0)
        {
            // A join, not "id = any($1)": a freshly built table has no statistics, and the planner
            // would scan all of it for each of thousands of keys.
            await using var load = writer.Command($"select t.id, t.data from unnest($1::uuid[]) as k(id) join {table} t on t.id = k.id");
            load.Parameters.Add(new() { Value = toLoad });
            await using var reader = await load.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                before[reader.GetGuid(0)] = JsonSerializer.Deserialize<TDocument>(reader.GetString(1), _json);
        }

        var after = new Dictionary<Guid, TDocument?>(before);
        foreach (var e in events)
            if (DocumentId(e) is { } id)
                after[id] = Apply(after.GetValueOrDefault(id), e);

        // Only documents that changed are written (an escalation of a closed item changes nothing).
        var stored = before.ToDictionary(d => d.Key, d => d.Value is null ? null : JsonSerializer.Serialize(d.Value, _json));
        var kept = after.Where(d => d.Value is not null)
            .Select(d => (d.Key, Json: JsonSerializer.Serialize(d.Value, _json)))
            .Where(d => stored.GetValueOrDefault(d.Key) != d.Json)
            .ToArray();
        var removed = after.Where(d => d.Value is null && before.GetValueOrDefault(d.Key) is not null).Select(d => d.Key).ToArray();
        await using var batch = new NpgsqlBatch(writer.Connection, writer.Transaction);
        if (kept.Length > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"""
                insert into {table} (id, data) select u.id, u.doc::jsonb from unnest($1::uuid[], $2::text[]) as u(id, doc)
                on conflict (id) do update set data = excluded.data
                """)
            {
                // Text cast row by row: several times faster in PostgreSQL 15 than a jsonb[] array.
                Parameters =
                {
                    new() { Value = kept.Select(d => d.Key).ToArray() },
                    new() { Value = kept.Select(d => d.Json).ToArray() },
                },
            });
        if (removed.Length > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"delete from {table} where id = any($1)") { Parameters = { new() { Value = removed } } });
        Summarize(after.Select(d => (before.GetValueOrDefault(d.Key), d.Value)).ToList(), batch, writer.Table);
        if (batch.BatchCommands.Count > 0)
            await batch.ExecuteNonQueryAsync(ct);
    }
}
