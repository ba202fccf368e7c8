using ActionTracker.EventStore.Schema;

namespace ActionTracker.EventStore.Messaging;

/// <summary>Tables for scheduled work and the outbox, beside the events they go with.</summary>
public sealed class MessagingSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new(EventStoreSchema.Module, 2, "scheduled messages and outbox",
            """
            -- One pending message per key: scheduling the same key again moves it.
            create table scheduled_messages (
                id bigint generated always as identity primary key,
                key text not null unique,
                type text not null,
                payload jsonb not null,
                due_at timestamptz not null,
                attempts int not null default 0,
                last_error text,
                dead_at timestamptz,
                created_at timestamptz not null);
            create index scheduled_messages_due on scheduled_messages (due_at) where dead_at is null;

            -- Messages to other systems, written in the transaction that caused them and sent
            -- afterwards, at least once. A claim is a lease (locked_until), not a row lock held
            -- across the network call, so no transaction stays open while a receiver is slow.
            create table outbox (
                id bigint generated always as identity primary key,
                kind text not null,
                destination text not null,
                payload jsonb not null,
                created_at timestamptz not null,
                next_attempt_at timestamptz not null,
                attempts int not null default 0,
                locked_until timestamptz,
                delivered_at timestamptz,
                dead_at timestamptz,
                last_error text);
            create index outbox_pending on outbox (next_attempt_at) where delivered_at is null and dead_at is null;
            """),
        new(EventStoreSchema.Module, 5, "scheduled messages name the stream they write",
            """
            -- The runner takes this stream's lock before it claims the message (see ScheduledWork).
            alter table scheduled_messages add column stream_id uuid;
            """),
        new(EventStoreSchema.Module, 6, "claiming scheduled messages",
            """
            -- The runner's claim, written with the handler's own writes: the row must still be the
            -- one it read (not handled by another runner, moved or cancelled meanwhile), or the
            -- whole transaction fails and changes nothing.
            create function claim_scheduled(p_id bigint, p_due timestamptz, p_attempts int) returns void
            language plpgsql as $fn$
            begin
                delete from scheduled_messages where id = p_id and due_at = p_due and attempts = p_attempts;
                if not found then
                    raise exception 'scheduled message % changed while it was handled', p_id using errcode = 'AT410';
                end if;
            end
            $fn$;
            """),
    ];
}
