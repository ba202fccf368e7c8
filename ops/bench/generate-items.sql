-- Synthetic action items and their events for the projection benchmarks (ops/bench/projections).
-- psql -v items=N; writes straight into the event store tables, as the service would have.
-- Items created over 200 days; one in ten still open; an open item past its due date (30 days)
-- has its ladder events: overdue, then level 2 and 3 when far enough past.
create temporary table gen as
select i,
       ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid as id,
       'team-' || ((i / 10) % 40) as team,
       'user-' || ((i / 10) % 40) || '-' || (i % 25) as owner,
       (array['critical','high','medium','low'])[1 + i % 4] as priority,
       now() - interval '200 days' + (i * (interval '200 days' / :items)) as created
  from generate_series(1, :items) i;
create function pg_temp.z(t timestamptz) returns text language sql immutable as $$ select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;
insert into events (id, stream_id, version, type, data, metadata, occurred_at)
select gen_random_uuid(), id, 1, 'action_item_created',
       jsonb_build_object('itemId', id, 'title', 'Follow-up ' || i || ': pin the controller version', 'description', null,
                          'team', team, 'owner', owner, 'priority', priority, 'dueAt', pg_temp.z(created + interval '30 days'),
                          'source', null, 'labels', '[]'::jsonb, 'by', owner, 'at', pg_temp.z(created)),
       '{"actor":"bench"}', created
  from gen;
insert into events (id, stream_id, version, type, data, metadata, occurred_at)
select gen_random_uuid(), id, 2, 'action_item_completed',
       jsonb_build_object('itemId', id, 'resolution', 'Done.', 'by', owner, 'at', pg_temp.z(created + interval '3 days')),
       '{"actor":"bench"}', created + interval '3 days'
  from gen where i % 10 <> 0;
insert into events (id, stream_id, version, type, data, metadata, occurred_at)
select gen_random_uuid(), id, 2, 'action_item_overdue',
       jsonb_build_object('itemId', id, 'dueAt', pg_temp.z(created + interval '30 days'), 'by', 'scheduler', 'at', pg_temp.z(created + interval '30 days')),
       '{"actor":"scheduler"}', created + interval '30 days'
  from gen where i % 10 = 0 and created + interval '30 days' < now();
insert into events (id, stream_id, version, type, data, metadata, occurred_at)
select gen_random_uuid(), id, 2 + l.level - 1, 'action_item_escalated',
       jsonb_build_object('itemId', id, 'dueAt', pg_temp.z(created + interval '30 days'), 'level', l.level, 'by', 'scheduler',
                          'at', pg_temp.z(created + interval '30 days' + l.after)),
       '{"actor":"scheduler"}', created + interval '30 days' + l.after
  from gen cross join (values (2, interval '3 days'), (3, interval '7 days')) l(level, after)
 where i % 10 = 0 and created + interval '30 days' + l.after < now()
 order by l.level;
insert into streams (id, type, version, created_at, updated_at)
select stream_id, 'action_item', max(version), min(occurred_at), max(occurred_at) from events group by stream_id;
vacuum analyze events;
vacuum analyze streams;
