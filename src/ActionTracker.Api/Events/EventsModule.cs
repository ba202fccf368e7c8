using ActionTracker.Api.Infrastructure.Schema;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ActionTracker.Api.Events;

public static class EventsModule
{
    public static IServiceCollection AddEventFeed(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new WebhookOptions();
        configuration.GetSection("Webhooks").Bind(options);
        services.AddSingleton(options);
        services.AddMigrations<EventLogSchema>();
        // Checks the epoch as the host is starting, before any service starts (so before this
        // replica appends anything to a restored database).
        services.AddHostedService<EventLogEpochs>();
        services.AddSingleton<EventLog>();
        services.AddSingleton<EventFeed>();
        services.AddEventsTableIndex(EventFeed.TeamChangesIndex, store => $"(stream_id, version) where {EventFeed.TeamChanging(store)}");
        services.AddMigrations<WebhookSchema>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService<WebhookLoop>();
        services.AddHttpClient(WebhookDispatcher.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<AddressGuard>().CreateHandler());
        return services;
    }

    public static IEndpointRouteBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var subscriptions = app.MapGroup("/api/subscriptions").WithTags("Events").RequireAuthorization(Policies.AdminOrService)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        subscriptions.MapPost("/", Create).WithName("Subscribe")
            .WithSummary("Subscribe a URL to events (types, teams); from: \"start\", a position, or (default) now. The secret is returned once.");
        subscriptions.MapGet("/", List).WithName("ListSubscriptions").WithSummary("Subscriptions and their delivery status.");
        subscriptions.MapGet("/{id:guid}", async Task<Ok<SubscriptionStatus>> (Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            TypedResults.Ok((await Read(db, id, OwnerFilter(http), ct)).SingleOrDefault() ?? throw new ResourceNotFound($"No subscription {id}.")))
            .WithName("GetSubscription");
        subscriptions.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var delete = db.CreateCommand("delete from subscriptions where id = $1 and ($2::text is null or created_by = $2)");
                delete.Parameters.Add(new() { Value = id });
                delete.Parameters.Add(OwnerParameter(http));
                return await delete.ExecuteNonQueryAsync(ct) == 1 ? TypedResults.NoContent() : throw new ResourceNotFound($"No subscription {id}.");
            })
            .WithName("Unsubscribe");
        subscriptions.MapPost("/{id:guid}/replay", Replay).WithName("ReplaySubscription")
            .WithSummary("Deliver again from a position (or \"start\"); re-enables a disabled subscription.");
        return app;
    }

    private static async Task<Created<SubscriptionCreated>> Create(
        SubscriptionRequest body, HttpContext http, NpgsqlDataSource db, EventLog log, AddressGuard guard, WebhookOptions options, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (await guard.Check(body.Url, ct) is { } urlError)
            errors["url"] = [urlError];
        var types = body.Types ?? [];
        if (types.Any(t => !PublicEvents.Types.Contains(t)))
            errors["types"] = [$"Known types: {string.Join(", ", PublicEvents.Types)}."];
        var teams = body.Teams ?? [];
        if (teams.Any(t => !Names.IsTeamSlug(t)))
            errors["teams"] = [$"Teams are slugs: {Names.SlugRule}."];
        var batch = body.Batch ?? 1;
        if (batch is < 1 or > WebhookDispatcher.MaxBatch)
            errors["batch"] = [$"Events per call: 1 (each event alone, the default) to {WebhookDispatcher.MaxBatch} (a CloudEvents JSON batch)."];
        var start = await From(log, body.From, "from", errors, ct);
        if (errors.Count > 0)
            throw new InvalidRequest(errors);

        var id = Guid.CreateVersion7(time.GetUtcNow());
        var secret = WebhookSignature.NewSecret();
        var now = time.Now();
        var caller = http.User.ToCaller();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (!caller.IsAdmin)
        {
            // One caller's subscriptions are counted and added one at a time: two at once cannot both take the last place.
            // (Counted in a statement after the lock's: its snapshot then sees the other's commit.)
            await using (var lockCaller = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('subscriptions/' || $1, 0))", connection, transaction)
                         { Parameters = { new() { Value = caller.Id } } })
                await lockCaller.ExecuteNonQueryAsync(ct);
            await using var count = new NpgsqlCommand("select count(*) from subscriptions where created_by = $1", connection, transaction)
                { Parameters = { new() { Value = caller.Id } } };
            var existing = (long)(await count.ExecuteScalarAsync(ct))!;
            if (existing >= options.MaxPerCaller)
                throw new LimitReached($"This caller has {existing} subscriptions, the most one caller may have ({options.MaxPerCaller}): delete one first.");
        }
        await using var insert = new NpgsqlCommand(
            """
            insert into subscriptions (id, url, types, teams, secret, created_by, created_at, epoch, seq, next_attempt_at, batch)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7, $10)
            """, connection, transaction);
        foreach (var value in new object[] { id, body.Url!, types, teams, secret, caller.Id, now,
                     start.Epoch, start.Sequence, batch })
            insert.Parameters.Add(new NpgsqlParameter { Value = value });
        await insert.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/api/subscriptions/{id}", new SubscriptionCreated(id, body.Url!, types, teams, batch, secret, now));
    }

    /// <summary>
    /// A subscription belongs to the caller that created it: another service neither sees nor
    /// touches it (a 404, as for one that does not exist); admins manage all.
    /// </summary>
    private static string? OwnerFilter(HttpContext http) => http.User.ToCaller() is { IsAdmin: false } caller ? caller.Id : null;

    private static NpgsqlParameter OwnerParameter(HttpContext http) =>
        new() { Value = (object?)OwnerFilter(http) ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text };

    private static async Task<Ok<SubscriptionList>> List(HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        TypedResults.Ok(new SubscriptionList(await Read(db, null, OwnerFilter(http), ct)));

    private static async Task<Ok<SubscriptionStatus>> Replay(Guid id, ReplayRequest body, HttpContext http, NpgsqlDataSource db, EventLog log, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        // Required: an empty body must not rewind a subscription to the beginning of the log.
        if (body.From is null)
            throw new InvalidRequest("from", "Where to deliver from is required: a position from the event feed, or \"start\" for the beginning.");
        var from = await From(log, body.From, "from", errors, ct);
        if (errors.Count > 0)
            throw new InvalidRequest(errors);
        await using var update = db.CreateCommand(
            """
            update subscriptions set epoch = $2, seq = $3, next_attempt_at = $4, attempts = 0, failing_since = null,
                   disabled_at = null, disabled_reason = null, locked_until = null, lock_token = null
             where id = $1 and ($5::text is null or created_by = $5)
            """);
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = from.Epoch });
        update.Parameters.Add(new() { Value = from.Sequence });
        update.Parameters.Add(new() { Value = time.GetUtcNow() });
        update.Parameters.Add(OwnerParameter(http));
        if (await update.ExecuteNonQueryAsync(ct) == 0)
            throw new ResourceNotFound($"No subscription {id}.");
        return TypedResults.Ok((await Read(db, id, null, ct)).Single());
    }

    /// <summary>
    /// Where a subscription starts: "start", a position, or by default the log's high-water mark,
    /// so that nothing committed afterwards can fall behind it. (Before the daemon first ran there
    /// is no mark, and "now" is the start.)
    /// </summary>
    private static async Task<LogPosition> From(EventLog log, string? from, string field, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (from == "start")
            return LogPosition.Start;
        if (from is not null)
        {
            if (!LogPosition.TryParse(from, out var position))
                errors[field] = ["\"start\", or a position from the event feed."];
            return position;
        }
        return await log.Head(ct);
    }

    private static async Task<List<SubscriptionStatus>> Read(NpgsqlDataSource db, Guid? id, string? owner, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            """
            select id, url, types, teams, epoch, seq, delivered, attempts, failing_since, next_attempt_at, last_success_at,
                   last_error, disabled_at, disabled_reason, batch
              from subscriptions where ($1::uuid is null or id = $1) and ($2::text is null or created_by = $2) order by created_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var list = new List<SubscriptionStatus>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            DateTimeOffset? At(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
            var disabled = At(12);
            var attempts = r.GetInt32(7);
            list.Add(new SubscriptionStatus(
                r.GetGuid(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetFieldValue<string[]>(3), r.GetInt32(14),
                disabled is not null ? "disabled" : attempts > 0 ? "failing" : "active",
                new LogPosition(r.GetInt64(4), r.GetInt64(5)).ToString(),
                r.GetInt64(6), attempts, At(8), At(9), At(10), r.IsDBNull(11) ? null : r.GetString(11), disabled,
                r.IsDBNull(13) ? null : r.GetString(13)));
        }
        return list;
    }
}
