using System.Globalization;
using System.Text;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Marten;
using Npgsql;

namespace ActionTracker.Api.Reports;

public sealed record OverdueReport(DateTimeOffset AsOf, DateTimeOffset? ProjectedAt, OverdueTotals Totals, IReadOnlyList<TeamOverdue> Teams);

public sealed record OverdueTotals(int Overdue, IReadOnlyDictionary<string, int> ByLevel);

public sealed record TeamOverdue(string Team, int Overdue, IReadOnlyDictionary<string, int> ByLevel, IReadOnlyList<OwnerOverdue> ByOwner, IReadOnlyList<OverdueItem> Items);

public sealed record OwnerOverdue(string Owner, int Overdue);

public sealed record OverdueItem(Guid Id, string Title, string Owner, string Priority, DateTimeOffset DueAt, int Level, DateTimeOffset? OverdueSince, int DaysOverdue);

/// <summary>
/// What is overdue, per team, owner and escalation level, from the overdue projection: items the
/// ladder has recorded overdue and that are still open. JSON, or CSV with every item.
/// </summary>
public static class OverdueReportEndpoint
{
    public const int DefaultItemsPerTeam = 25;
    public const int MaxItemsPerTeam = 1000;

    public static RouteGroupBuilder MapOverdueReport(this RouteGroupBuilder reports)
    {
        reports.MapGet("/overdue", Handle)
            .WithName("OverdueReport")
            .WithSummary("Overdue items per team, owner and level; Accept: text/csv gives every item as CSV.")
            .Produces<OverdueReport>(contentType: "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return reports;
    }

    private static async Task<IResult> Handle(
        HttpContext http, NpgsqlDataSource db, IDocumentStore store, TimeProvider time, string? team, string? owner, int? level, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var perTeam = limit ?? DefaultItemsPerTeam;
        if (perTeam is < 0 or > MaxItemsPerTeam)
            errors["limit"] = [$"The limit is between 0 and {MaxItemsPerTeam} items per team."];
        if (level is < 1 or > EscalationPolicy.MaxSteps)
            errors["level"] = [$"The level is between 1 and {EscalationPolicy.MaxSteps}."];
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        var now = time.GetUtcNow();
        var csv = http.Request.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true);
        if (csv)
            return TypedResults.Text(Csv((await Read(db, store, team, owner, level, int.MaxValue, now, ct)).Items), "text/csv; charset=utf-8", Encoding.UTF8);
        return TypedResults.Ok(await Build(db, store, team, owner, level, perTeam, now, ct));
    }

    /// <summary>The report as the API serves it (and the report page shows it).</summary>
    public static async Task<OverdueReport> Build(
        NpgsqlDataSource db, IDocumentStore store, string? team, string? owner, int? level, int perTeam, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await Read(db, store, team, owner, level, perTeam, now, ct);
        var teams = rows.Counts.GroupBy(c => c.Team).Select(g => new TeamOverdue(
                g.Key,
                g.Sum(c => c.Count),
                g.GroupBy(c => c.Level).ToDictionary(l => l.Key.ToString(CultureInfo.InvariantCulture), l => l.Sum(c => c.Count)),
                g.GroupBy(c => c.Owner).Select(o => new OwnerOverdue(o.Key, o.Sum(c => c.Count))).OrderByDescending(o => o.Overdue).ThenBy(o => o.Owner, StringComparer.Ordinal).ToList(),
                rows.Items.Where(i => i.Team == g.Key).Select(i => i.Item).ToList()))
            .OrderByDescending(t => t.Overdue).ThenBy(t => t.Team, StringComparer.Ordinal)
            .ToList();
        var totals = new OverdueTotals(
            teams.Sum(t => t.Overdue),
            rows.Counts.GroupBy(c => c.Level).ToDictionary(l => l.Key.ToString(CultureInfo.InvariantCulture), l => l.Sum(c => c.Count)));
        return new OverdueReport(now, rows.ProjectedAt, totals, teams);
    }

    private sealed record LevelCount(string Team, string Owner, int Level, int Count);

    private sealed record Row(string Team, OverdueItem Item);

    private static async Task<(List<LevelCount> Counts, List<Row> Items, DateTimeOffset? ProjectedAt)> Read(
        NpgsqlDataSource db, IDocumentStore store, string? team, string? owner, int? level, int perTeam, DateTimeOffset now, CancellationToken ct)
    {
        // One round trip: the counts (kept beside the documents, see OverdueCounts), then per
        // team with any its most overdue items in due order from the partial index over the
        // overdue documents, then when the daemon last moved the projection.
        const string filter = "count > 0 and ($1::text is null or team = $1) and ($2::text is null or owner = $2) and ($3::int is null or level = $3)";
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"select team, owner, level, count from {OverdueCounts.Table} where {filter}"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            select x.id, t.team, x.data
              from (select distinct team from {OverdueCounts.Table} where {filter}) t
             cross join lateral (
                   select o.id, o.data, o.due_at from {OverdueProjection.Table} o
                    where o.overdue and o.team = t.team and ($2::text is null or o.owner = $2) and ($3::int is null or o.level = $3)
                    order by o.due_at, o.id limit $4) x
             order by t.team, x.due_at, x.id
            """));
        foreach (var command in batch.BatchCommands)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)team ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)level ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        }
        batch.BatchCommands[1].Parameters.Add(new NpgsqlParameter { Value = perTeam });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select max(last_updated) from mt_event_progression where name = any($1)")
        {
            Parameters = { new() { Value = store.Advanced.AllAsyncProjectionShardNames().Where(s => s.Name == OverdueProjection.ProjectionName).Select(s => s.Identity).ToArray() } },
        });

        var counts = new List<LevelCount>();
        var items = new List<Row>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            counts.Add(new LevelCount(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3)));
        await reader.NextResultAsync(ct);
        var serializer = store.Options.Serializer();
        while (await reader.ReadAsync(ct))
        {
            var doc = serializer.FromJson<OverdueStanding>(reader, 2);
            var days = (int)Math.Max(0, Math.Floor((now - doc.DueAt).TotalDays));
            items.Add(new Row(reader.GetString(1), new OverdueItem(reader.GetGuid(0), doc.Title, doc.Owner, doc.Priority.Name(), doc.DueAt, doc.Level, doc.OverdueSince, days)));
        }
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var projected = reader.IsDBNull(0) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(0);
        return (counts, items, projected);
    }

    private static string Csv(IEnumerable<Row> rows)
    {
        var csv = new StringBuilder("team,owner,level,id,title,priority,dueAt,overdueSince,daysOverdue\n"); // the JSON fields' names
        foreach (var (team, i) in rows)
            csv.Append(CultureInfo.InvariantCulture,
                $"{Field(team)},{Field(i.Owner)},{i.Level},{i.Id},{Field(i.Title)},{i.Priority},{Wire.Render(i.DueAt)},{(i.OverdueSince is { } s ? Wire.Render(s) : "")},{i.DaysOverdue}\n");
        return csv.ToString();
    }

    /// <summary>RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
