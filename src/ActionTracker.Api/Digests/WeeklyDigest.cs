using System.Globalization;
using System.Text;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Reports;
using ActionTracker.Api.Teams;
using ActionTracker.Domain.ActionItems;
using ActionTracker.Api.Infrastructure.Store;
using Npgsql;

namespace ActionTracker.Api.Digests;

/// <summary>The digest of several teams for one week, as API.md shapes it.</summary>
public sealed record Digest(string Week, DateTimeOffset GeneratedAt, IReadOnlyList<TeamDigest> Teams);

public sealed record TeamDigest(
    string Team,
    string Week,
    DateTimeOffset GeneratedAt,
    bool AllClear,
    IReadOnlyList<DigestItem> Overdue,
    IReadOnlyList<DigestItem> DueThisWeek,
    IReadOnlyList<DigestItem> CompletedLastWeek,
    IReadOnlyList<DigestItem> PostponedLastWeek,
    DigestTrend Trend,
    string Text);

public sealed record DigestItem(Guid Id, string Title, string Owner, string Priority, string Status, DateTimeOffset DueAt, int EscalationLevel, DateTimeOffset? CompletedAt);

public sealed record DigestTrend(int OverdueNow, int OverdueLastWeek);

/// <summary>The fact that a team's digest for a week was built and sent; its stream exists once per (team, week).</summary>
public sealed record WeeklyDigestPublished(string Team, string Week, DateTimeOffset GeneratedAt, TeamDigest Digest);

public static class DigestStream
{
    /// <summary>One stream per team and week: publishing twice is a conflict, so it happens once.</summary>
    public static Guid Id(string team, string week) => StreamIds.FromName($"weekly-digest/{team}/{week}");
}

/// <summary>Builds a team's digest from the action items read model and the week's due-date changes.</summary>
public sealed class DigestBuilder(NpgsqlDataSource db, ActionItems.ActionItemRows rows)
{
    public const string DueDateChangesIndex = "mt_events_due_date_changes";

    private const int MaxListed = 50;

    /// <summary>The week the digest belongs to: the ISO week of the team's local date at <paramref name="now"/>.</summary>
    public static (string Week, DateTimeOffset Start, DateTimeOffset End) WeekOf(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var monday = DateOnly.FromDateTime(local.Date).AddDays(-(((int)local.DayOfWeek + 6) % 7));
        DateTimeOffset At(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue)));
        return (IsoWeeks.Name(monday), At(monday).ToUniversalTime(), At(monday.AddDays(7)).ToUniversalTime());
    }

    public async Task<TeamDigest> Build(Team team, DateTimeOffset now, TeamDigest? previous, CancellationToken ct)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(team.TimeZone);
        var (week, start, end) = WeekOf(now, zone);
        var lastWeek = start.AddDays(-7);

        await using var batch = db.CreateBatch();
        var columns = ActionItemRows.Columns;
        const string table = ActionItemRows.Table;
        void Add(string sql, params object[] values)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var v in values)
                command.Parameters.Add(new NpgsqlParameter { Value = v });
            batch.BatchCommands.Add(command);
        }
        var open = $"status in {ActionItemRows.OpenStatuses}";
        Add($"select {columns} from {table} where team = $1 and {open} and due_at <= $2 order by due_at, created_at, id", team.Slug, now);
        Add($"select {columns} from {table} where team = $1 and {open} and due_at > $2 and due_at < $3 order by due_at, created_at, id", team.Slug, now, end);
        Add($"select {columns} from {table} where team = $1 and status = '{ItemStatus.Done}' and completed_at >= $2 and completed_at < $3 order by completed_at, created_at, id",
            team.Slug, lastWeek, start);
        // Postponed: a due date moved later during last week (the item's current state is shown).
        Add($"""
             select {columns} from {table} where team = $1 and id in (
                 select stream_id from mt_events
                  where type = 'action_item_due_date_changed' and timestamp >= $2 and timestamp < $3
                    and (data->>'dueAt')::timestamptz > (data->>'previousDueAt')::timestamptz)
             order by created_at, id
             """, team.Slug, lastWeek, start);
        // Overdue a week ago, for the trend when there is no earlier digest to compare with.
        Add($"""
             select count(*)::int from {table} where team = $1 and due_at <= $2 and created_at <= $2
                and (completed_at is null or completed_at > $2)
             """, team.Slug, now.AddDays(-7));

        var lists = new List<List<DigestItem>>();
        int overdueWeekAgo;
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            for (var list = 0; list < 4; list++)
            {
                var items = new List<DigestItem>();
                while (await reader.ReadAsync(ct))
                {
                    var (item, _) = rows.Read(reader);
                    items.Add(new DigestItem(item.Id, item.Title, item.Owner, item.Priority.Name(), item.Status.Name(), item.DueAt, item.EscalationLevel, item.CompletedAt));
                }
                lists.Add(items);
                await reader.NextResultAsync(ct);
            }
            await reader.ReadAsync(ct);
            overdueWeekAgo = reader.GetInt32(0);
        }

        var (overdue, dueSoon, completed, postponed) = (lists[0], lists[1], lists[2], lists[3]);
        var trend = new DigestTrend(overdue.Count, previous?.Trend.OverdueNow ?? overdueWeekAgo);
        var digest = new TeamDigest(team.Slug, week, now, overdue.Count == 0,
            overdue.Take(MaxListed).ToList(), dueSoon.Take(MaxListed).ToList(), completed.Take(MaxListed).ToList(), postponed.Take(MaxListed).ToList(),
            trend, "");
        return digest with { Text = PlainText(digest, overdue.Count) };
    }

    /// <summary>The chat body: short, the numbers first, then the overdue items by name.</summary>
    public static string PlainText(TeamDigest d, int overdueCount)
    {
        var text = new StringBuilder();
        if (d.AllClear)
            text.Append(CultureInfo.InvariantCulture, $"All clear for {d.Team} in {d.Week}: nothing is overdue.");
        else
            text.Append(CultureInfo.InvariantCulture, $"Weekly digest for {d.Team}, {d.Week}: {overdueCount} overdue (a week ago: {d.Trend.OverdueLastWeek}).");
        text.Append(CultureInfo.InvariantCulture,
            $" Due this week: {d.DueThisWeek.Count}. Completed last week: {d.CompletedLastWeek.Count}. Postponed last week: {d.PostponedLastWeek.Count}.");
        foreach (var item in d.Overdue.Take(10))
            text.Append(CultureInfo.InvariantCulture,
                $"\n- \"{item.Title}\" ({item.Owner}, {item.Priority}) due {item.DueAt:yyyy-MM-dd}, level {item.EscalationLevel}");
        if (d.Overdue.Count > 10)
            text.Append(CultureInfo.InvariantCulture, $"\n- and {d.Overdue.Count - 10} more");
        return text.ToString();
    }
}
