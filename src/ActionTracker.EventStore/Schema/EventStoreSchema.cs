namespace ActionTracker.EventStore.Schema;

/// <summary>The event store's own tables.</summary>
public sealed class EventStoreSchema : IMigrationSource
{
    public const string Module = "eventstore";

    /// <summary>SQLSTATE raised by the append guard when the stream is not at the expected version.</summary>
    public const string VersionConflictState = "AT409";

    public IEnumerable<Migration> Migrations { get; } =
    [
        new(Module, 1, "streams and events",
            $$"""
            create table streams (
                id uuid primary key,
                type text not null,
                version bigint not null,
                created_at timestamptz not null,
                updated_at timestamptz not null);

            -- tx_id is the writing transaction: readers use (tx_id, seq) below the oldest running
            -- transaction as their horizon, so an event that commits late is never skipped.
            create table events (
                seq bigint generated always as identity primary key,
                tx_id xid8 not null default pg_current_xact_id(),
                id uuid not null,
                stream_id uuid not null,
                version bigint not null,
                type text not null,
                data jsonb not null,
                metadata jsonb not null,
                occurred_at timestamptz not null,
                constraint events_stream_version unique (stream_id, version));

            create index events_position on events (tx_id, seq);

            -- Every append first takes a transaction-scoped advisory lock on its stream, before
            -- the transaction writes anything and so before it is given a transaction id. Writers
            -- of one stream therefore get increasing transaction ids in version order, and a
            -- reader ordering by (tx_id, seq) sees each stream in its own order.
            create function stream_lock_key(p_stream uuid) returns bigint
            language sql immutable parallel safe as
            $fn$ select ('x' || substr(replace(p_stream::text, '-', ''), 17, 16))::bit(64)::bigint $fn$;

            -- Moves a stream from the expected version to the new one, or fails the whole
            -- transaction, so the events and projections batched after it never land on a stale
            -- or invented version.
            create function append_guard(p_stream uuid, p_expected bigint, p_new bigint, p_at timestamptz)
            returns void language plpgsql as $fn$
            begin
                perform pg_advisory_xact_lock(stream_lock_key(p_stream));
                update streams set version = p_new, updated_at = p_at
                 where id = p_stream and version = p_expected;
                if not found then
                    raise exception 'stream % is not at version %', p_stream, p_expected
                        using errcode = '{{VersionConflictState}}';
                end if;
            end
            $fn$;

            create function start_stream(p_stream uuid, p_type text, p_version bigint, p_at timestamptz)
            returns void language plpgsql as $fn$
            begin
                perform pg_advisory_xact_lock(stream_lock_key(p_stream));
                insert into streams (id, type, version, created_at, updated_at)
                values (p_stream, p_type, p_version, p_at, p_at)
                on conflict (id) do nothing;
                if not found then
                    raise exception 'stream % already exists', p_stream
                        using errcode = '{{VersionConflictState}}';
                end if;
            end
            $fn$;
            """),
    ];
}
