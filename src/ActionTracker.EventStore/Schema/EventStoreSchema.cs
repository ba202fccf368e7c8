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
        new(Module, 4, "store epochs",
            """
            -- Transaction ids restart when the database is restored into a new cluster (a logical
            -- dump) and go back when it is restored to a point in time or fails over to a replica
            -- that had not seen the last transactions. A reader's cursor past the old ids would
            -- then skip every new event. So positions carry an epoch in their top 16 bits: a new
            -- epoch begins whenever the cluster or its timeline is not the one the last epoch
            -- began on, and every position of a new epoch sorts after every older one.
            create table store_epochs (
                epoch int primary key check (epoch between 0 and 32767),
                system_identifier bigint not null,
                timeline int not null,
                reason text not null,
                began_at timestamptz not null default now());

            insert into store_epochs (epoch, system_identifier, timeline, reason)
            select 0, s.system_identifier, c.timeline_id, 'created'
              from pg_control_system() s, pg_control_checkpoint() c;

            create function store_epoch_base() returns bigint
            language sql stable parallel safe as
            $fn$ select max(epoch)::bigint << 48 from store_epochs $fn$;

            -- 48 bits of transaction ids last 890 years at 10,000 transactions a second.
            create function store_tx_id() returns xid8
            language sql volatile as
            $fn$ select (store_epoch_base() + pg_current_xact_id()::text::bigint)::text::xid8 $fn$;

            -- Every position below this one belongs to a committed or aborted transaction.
            create function store_horizon() returns xid8
            language sql stable as
            $fn$ select (store_epoch_base() + pg_snapshot_xmin(pg_current_snapshot())::text::bigint)::text::xid8 $fn$;

            alter table events alter column tx_id set default store_tx_id();

            -- Begins a new epoch when the cluster or timeline changed; runs at every start.
            -- The exclusive lock waits for appends in flight (they hold the old epoch) and holds
            -- new ones back until the new epoch is visible, so no event of an old epoch can
            -- commit after a reader has moved its horizon into the new one.
            create function ensure_store_epoch() returns int language plpgsql as $fn$
            declare
                last store_epochs;
                sysid bigint;
                tl int;
            begin
                select s.system_identifier, c.timeline_id into sysid, tl
                  from pg_control_system() s, pg_control_checkpoint() c;
                select * into last from store_epochs order by epoch desc limit 1;
                if last.system_identifier = sysid and last.timeline = tl then
                    return last.epoch;
                end if;
                lock table events in exclusive mode;
                insert into store_epochs (epoch, system_identifier, timeline, reason)
                values (last.epoch + 1, sysid, tl,
                        case when last.system_identifier <> sysid then 'restored into another cluster'
                             else 'timeline changed (point-in-time restore or failover)' end);
                return last.epoch + 1;
            end
            $fn$;
            """),
    ];
}
