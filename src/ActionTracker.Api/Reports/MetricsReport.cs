using System.Globalization;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ActionTracker.Api.Reports;

public sealed record MetricsReport(string Team, DateTimeOffset AsOf, int OpenNow, IReadOnlyList<WeekMetrics> Weeks);

/// <summary>One ISO week (UTC) of a team's follow-up: is the backlog growing, are items closed in time?</summary>
public sealed record WeekMetrics(
    string Week,
    int Opened,
    int Completed,
    int BecameOverdue,
    int Postponed,
    int OpenAtEnd,
    double? ClosedByDueDate,
    IReadOnlyList<TimeToClose> TimeToClose);

public sealed record TimeToClose(string Priority, int Closed, double MedianHours, double P90Hours);

public static class MetricsReportEndpoint
{
    public static RouteGroupBuilder MapMetricsReport(this RouteGroupBuilder reports)
    {
        reports.MapGet("/metrics", Handle)
            .WithName("TeamMetrics")
            .WithSummary("A team's weekly follow-up metrics: opened, completed, overdue, postponed, open at week end, time to close, share closed by the due date.");
        return reports;
    }

    private static async Task<Ok<MetricsReport>> Handle(NpgsqlDataSource db, TimeProvider time, string? team, int? weeks, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Names.IsTeamSlug(team))
            errors["team"] = [$"The team is required: {Names.SlugRule}."];
        var count = weeks ?? 12;
        if (count is < 1 or > 104)
            errors["weeks"] = ["Between 1 and 104 weeks."];
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        return TypedResults.Ok(await Build(db, time, team!, count, ct));
    }

    /// <summary>The report of <paramref name="weeks"/> weeks up to this one, for the API and the team page.</summary>
    public static async Task<MetricsReport> Build(NpgsqlDataSource db, TimeProvider time, string team, int weeks, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var thisWeek = IsoWeeks.StartOf(now);
        var first = thisWeek.AddDays(-7 * (weeks - 1));

        await using var batch = db.CreateBatch();
        // Per week: counts of what happened in it and the backlog at its end. The team's documents
        // are read once (their JSON fields taken out once), each becomes the few happenings it
        // had in the window (opened, closed, first overdue, postponed), binned by week, and the
        // backlog is the one before the window plus the running sum of opened less closed. (Weeks
        // joined to documents, each JSON read once a week, took 90 ms for a team of 3,000 items;
        // the week count is written in so the planner knows the series' length. Weeks are 168
        // hours, not '7 days': added to a timestamptz, days follow the session's time zone and a
        // daylight-saving change would shift every later week off its bins.)
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            with m as materialized (
                   select opened_at, closed_at, first_overdue_at, (data->>'done')::boolean as done,
                          (data->>'closedOnTime')::boolean as on_time, data->'postponed' as postponed
                     from {MetricsProjection.Table} where team = $1),
                 h (week, opened, completed, overdue, postponed, closed, on_time) as (
                   select date_bin('168 hours', opened_at, $2::timestamptz), 1, 0, 0, 0, 0, null::numeric from m where opened_at >= $2::timestamptz
                   union all
                   select date_bin('168 hours', closed_at, $2::timestamptz), 0, case when done then 1 else 0 end, 0, 0, 1,
                          case when done then case when on_time then 1.0 else 0.0 end end
                     from m where closed_at >= $2::timestamptz
                   union all
                   select date_bin('168 hours', first_overdue_at, $2::timestamptz), 0, 0, 1, 0, 0, null from m where first_overdue_at >= $2::timestamptz
                   union all
                   select date_bin('168 hours', p::timestamptz, $2::timestamptz), 0, 0, 0, 1, 0, null
                     from m, jsonb_array_elements_text(m.postponed) p where p::timestamptz >= $2::timestamptz),
                 weeks as (select $2::timestamptz + i * interval '168 hours' as start from generate_series(0, {weeks - 1}) i),
                 backlog as (select count(*) filter (where opened_at < $2::timestamptz) - count(*) filter (where closed_at < $2::timestamptz) as open from m)
            select w.start, coalesce(sum(h.opened), 0)::int, coalesce(sum(h.completed), 0)::int, coalesce(sum(h.overdue), 0)::int,
                   coalesce(sum(h.postponed), 0)::int,
                   ((select open from backlog) + sum(coalesce(sum(h.opened), 0) - coalesce(sum(h.closed), 0)) over (order by w.start))::int,
                   avg(h.on_time)
              from weeks w left join h on h.week = w.start
             group by w.start order by w.start
            """)
        {
            Parameters = { new() { Value = team }, new() { Value = first } },
        });
        // Time to close per week and priority.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            select date_trunc('week', closed_at at time zone 'UTC') at time zone 'UTC' as week, priority, count(*)::int,
                   percentile_cont(0.5) within group (order by extract(epoch from closed_at - opened_at)) / 3600,
                   percentile_cont(0.9) within group (order by extract(epoch from closed_at - opened_at)) / 3600
              from {MetricsProjection.Table}
             where team = $1 and closed_at >= $2 and (data->>'done')::boolean
             group by 1, 2 order by 1, 2
            """)
        {
            Parameters = { new() { Value = team }, new() { Value = first } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select count(*)::int from {MetricsProjection.Table} where team = $1 and closed_at is null")
        {
            Parameters = { new() { Value = team } },
        });

        var rows = new List<(DateTimeOffset Start, int Opened, int Completed, int Overdue, int Postponed, int OpenAtEnd, double? OnTime)>();
        var closing = new List<(DateTimeOffset Week, string Priority, int Closed, double Median, double P90)>();
        int openNow;
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                rows.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                    reader.GetInt32(5), reader.IsDBNull(6) ? null : (double)reader.GetDecimal(6)));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
                closing.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetInt32(2), reader.GetDouble(3), reader.GetDouble(4)));
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            openNow = reader.GetInt32(0);
        }

        var result = rows.Select(r => new WeekMetrics(
            IsoWeeks.Name(r.Start), r.Opened, r.Completed, r.Overdue, r.Postponed, r.OpenAtEnd,
            r.OnTime is { } share ? Math.Round(share, 3) : null,
            closing.Where(c => c.Week == r.Start)
                .Select(c => new TimeToClose(c.Priority, c.Closed, Math.Round(c.Median, 1), Math.Round(c.P90, 1))).ToList())).ToList();
        return new MetricsReport(team, now, openNow, result);
    }
}

/// <summary>ISO 8601 weeks: Monday starts, names like 2026-W48.</summary>
public static class IsoWeeks
{
    /// <summary>Monday 00:00 UTC of the week holding <paramref name="instant"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset instant)
    {
        var day = instant.UtcDateTime.Date;
        var offset = ((int)day.DayOfWeek + 6) % 7;
        return new DateTimeOffset(day.AddDays(-offset), TimeSpan.Zero);
    }

    public static string Name(DateTimeOffset weekStart) => Name(DateOnly.FromDateTime(weekStart.UtcDateTime));

    public static string Name(DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(day.ToDateTime(TimeOnly.MinValue)):00}");

    public static bool TryParse(string? text, out DateOnly monday)
    {
        monday = default;
        if (text is not { Length: 8 } || text[4] != '-' || text[5] != 'W' ||
            !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) ||
            !int.TryParse(text.AsSpan(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var week) ||
            year is < 2000 or > 9998 || week < 1 || week > ISOWeek.GetWeeksInYear(year))
            return false;
        monday = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday));
        return true;
    }
}
