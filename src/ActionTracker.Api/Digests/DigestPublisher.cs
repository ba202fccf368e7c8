using System.Text.Json;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Teams;
using ActionTracker.Api.Infrastructure.Store;
using Marten;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Api.Notifications;
using Wolverine;
using Wolverine.Attributes;
using ActionTracker.Api.Infrastructure.Schema;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActionTracker.Api.Digests;

/// <summary>When digests go out (configuration <c>Digest</c>): a day and a time in each team's zone.</summary>
public sealed class DigestOptions
{
    public DayOfWeek Day { get; set; } = DayOfWeek.Monday;
    public TimeSpan Time { get; set; } = TimeSpan.FromHours(9);

    /// <summary>How often teams are looked at for a digest that is due; a digest goes out at most this late.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>False stops scheduled digests; <c>POST /api/digests/weekly/run</c> still works.</summary>
    public bool Enabled { get; set; } = true;
}

public sealed class DigestSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("digests", 1, "weekly digests",
            """
            -- Digest history, written with each digest's event: what each team was sent, per week.
            create table weekly_digests (
                team text not null,
                week text not null,
                generated_at timestamptz not null,
                body jsonb not null,
                primary key (team, week));
            create index weekly_digests_week on weekly_digests (week);
            """),
    ];
}

/// <summary>
/// The recurring check for due digests: a scheduled message that schedules the next one. Kept on
/// the service's clock (not a cron agent's), so that tests move it with the rest of time.
/// </summary>
[MessageIdentity("check-weekly-digests")]
public sealed record CheckWeeklyDigests;

/// <summary>
/// Builds, stores and sends a team's weekly digest once per (team, week): the digest's stream id
/// is derived from both, so a second attempt (another replica, a restart, a manual run) conflicts
/// and sends nothing.
/// </summary>
public sealed partial class DigestPublisher(
    OutboxSessions sessions,
    DigestBuilder builder,
    NpgsqlDataSource db,
    IOptions<JsonOptions> json,
    ILogger<DigestPublisher> logger)
{
    /// <summary>Publishes the team's digest for the week holding <paramref name="now"/>; false when it already was.</summary>
    public async Task<(bool Published, string Week)> Publish(Team team, DateTimeOffset now, CancellationToken ct)
    {
        var (week, _, _) = DigestBuilder.WeekOf(now, TimeZoneInfo.FindSystemTimeZoneById(team.TimeZone));
        if (await Find(team.Slug, week, ct) is not null)
            return (false, week);

        var previous = await Previous(team.Slug, week, ct);
        var digest = await builder.Build(team, now, previous, ct);
        var body = JsonSerializer.Serialize(digest, json.Value.SerializerOptions);
        await using var outbox = sessions.Open(new EventMetadata("digest", CausationId: $"digest:{team.Slug}:{week}"));
        var session = outbox.Session;
        session.Events.StartStream<WeeklyDigestPublished>(DigestStream.Id(team.Slug, week), new WeeklyDigestPublished(team.Slug, week, now, digest));
        session.Sql().Add("insert into weekly_digests (team, week, generated_at, body) values ($1, $2, $3, $4)",
            team.Slug, week, now, SqlParameters.Jsonb(body));
        if (team.NotifyUrl is { } url)
            await outbox.Bus.PublishAsync(new SendTeamNotification(team.Slug, url, JsonSerializer.Serialize(
                new { text = SlackText.Escape(digest.Text), kind = "weekly_digest", team = team.Slug, week, digest }, json.Value.SerializerOptions)));
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Marten.Exceptions.ExistingStreamIdCollisionException)
        {
            return (false, week); // another replica published it a moment ago
        }
        LogPublished(team.Slug, week);
        return (true, week);
    }

    public async Task<TeamDigest?> Find(string team, string week, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select body from weekly_digests where team = $1 and week = $2");
        command.Parameters.Add(new() { Value = team });
        command.Parameters.Add(new() { Value = week });
        return await command.ExecuteScalarAsync(ct) is string body ? JsonSerializer.Deserialize<TeamDigest>(body, json.Value.SerializerOptions) : null;
    }

    /// <summary>Digests of a week (or of the latest week when null), for the given teams or all.</summary>
    /// <summary>Whose digests a caller reads by default: their own teams; admins, and callers of no team (services), every team (null).</summary>
    public static IReadOnlyCollection<string>? TeamsOf(Domain.Caller caller) =>
        caller.IsAdmin || caller.Teams.Count == 0 ? null : caller.Teams;

    public async Task<IReadOnlyList<TeamDigest>> List(string? week, IReadOnlyCollection<string>? teamFilter, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            """
            select body from weekly_digests
             where week = coalesce($1, (select max(week) from weekly_digests where $2::text[] is null or team = any($2)))
               and ($2::text[] is null or team = any($2))
             order by team
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)week ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)teamFilter?.ToArray() ?? DBNull.Value,
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        });
        var digests = new List<TeamDigest>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            digests.Add(JsonSerializer.Deserialize<TeamDigest>(reader.GetString(0), json.Value.SerializerOptions)!);
        return digests;
    }

    private async Task<TeamDigest?> Previous(string team, string week, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select body from weekly_digests where team = $1 and week < $2 order by week desc limit 1");
        command.Parameters.Add(new() { Value = team });
        command.Parameters.Add(new() { Value = week });
        return await command.ExecuteScalarAsync(ct) is string body ? JsonSerializer.Deserialize<TeamDigest>(body, json.Value.SerializerOptions) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the weekly digest of {Team} for {Week}")]
    private partial void LogPublished(string team, string week);
}

/// <summary>
/// Every few minutes: publish the digest of each team whose local digest time this week has
/// come. Idempotent per (team, week), so a late or repeated check sends nothing twice.
/// </summary>
public static class CheckWeeklyDigestsHandler
{
    public static async Task<object> Handle(CheckWeeklyDigests message, DigestPublisher publisher, TeamDirectory teams,
        DigestOptions options, TimeProvider time, CancellationToken ct)
    {
        var now = time.Now();
        foreach (var team in await teams.WithItemsOrRegistered(ct))
            if (IsDue(team, now, options))
                await publisher.Publish(team, now, ct);
        return message.ScheduledAt(now + options.CheckEvery);
    }

    /// <summary>
    /// Whether the team's local time is past this week's digest day and time, and the team was
    /// known by then: a team that appears later in the week gets its first digest the next week
    /// (or when an admin runs them), not whenever the next check happens to come.
    /// </summary>
    public static bool IsDue(Team team, DateTimeOffset now, DigestOptions options)
    {
        var due = WeekDueAt(team, now, options);
        return now >= due && (team.CreatedAt is not { } created || created <= due);
    }

    /// <summary>This week's digest time for the team, in its time zone.</summary>
    public static DateTimeOffset WeekDueAt(Team team, DateTimeOffset now, DigestOptions options)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(team.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var monday = local.Date.AddDays(-(((int)local.DayOfWeek + 6) % 7));
        var dueLocal = monday.AddDays(((int)options.Day + 6) % 7) + options.Time;
        // A time skipped by a clock change is taken an hour later.
        if (zone.IsInvalidTime(dueLocal))
            dueLocal = dueLocal.AddHours(1);
        return new DateTimeOffset(dueLocal, zone.GetUtcOffset(dueLocal));
    }
}

/// <summary>
/// Puts the recurring digest check in Wolverine's schedule at start-up unless one is waiting
/// there already (replicas starting together take turns on a lock), and takes it out when
/// digests are off.
/// </summary>
public sealed class DigestCheckStarter(
    OutboxSessions sessions, MessageStoreTables tables, DigestOptions options, TimeProvider time, Wolverine.Runtime.IWolverineRuntime wolverine) : IHostedService
{
    private const long LockKey = 0x64696765737473; // "digests"

    public async Task StartAsync(CancellationToken ct)
    {
        // Wolverine's tables are made by its durability agent, which may not have run yet (one
        // test host's start found no incoming envelopes table): made or checked here first.
        await wolverine.Storage.Admin.MigrateAsync();
        await using var outbox = sessions.Open(new EventMetadata("digest"));
        var session = outbox.Session;
        await session.BeginTransactionAsync(ct);
        var connection = (Npgsql.NpgsqlConnection)session.Connection!;
        await using (var locked = new NpgsqlCommand("select pg_advisory_xact_lock($1)", connection))
        {
            locked.Parameters.Add(new() { Value = LockKey });
            await locked.ExecuteNonQueryAsync(ct);
        }
        var waiting = await tables.ScheduledCount(connection, "check-weekly-digests", ct);
        if (!options.Enabled)
        {
            if (waiting > 0)
                await tables.CancelScheduled(connection, "check-weekly-digests", ct);
        }
        else if (waiting == 0)
            await outbox.Bus.ScheduleAsync(new CheckWeeklyDigests(), time.GetUtcNow());
        await session.SaveChangesAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
