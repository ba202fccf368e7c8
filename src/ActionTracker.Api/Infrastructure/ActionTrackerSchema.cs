using ActionTracker.Api.Infrastructure.Schema;

namespace ActionTracker.Api.Infrastructure;

/// <summary>The service's own tables beside Marten's: what the stack does not keep for us.</summary>
public sealed class ActionTrackerSchema : IMigrationSource
{
    public const string Module = "actiontracker";

    public IEnumerable<Migration> Migrations { get; } =
    [
        new(Module, 1, "idempotency keys",
            """
            -- A retried request with the same key gets the first response back, across restarts.
            create table idempotency_keys (
                caller text not null,
                key text not null,
                fingerprint text not null,
                status int not null,
                location text,
                etag text,
                body jsonb not null,
                created_at timestamptz not null,
                primary key (caller, key));

            -- Keys expire after their retention.
            create index idempotency_keys_created on idempotency_keys (created_at);

            -- Instants in JSON are ISO 8601 with an offset, which parse the same under any session
            -- setting, so declaring the cast immutable is safe and lets generated columns use it.
            create function at_timestamptz(text) returns timestamptz
            language sql immutable parallel safe as $$ select $1::timestamptz $$;
            """),
    ];
}
