-- Synthetic action items and their events for the projection benchmarks (ops/bench/projections).
-- psql -v items=N; writes straight into Marten's tables what the service would have written:
-- the streams (mt_streams), their events in time order (mt_events, seq_id from
-- mt_events_sequence) and each item's inline document (mt_doc_action_item).
-- Items created over 200 days; one in ten still open; an open item past its due date (30 days)
-- has its ladder events: overdue, then level 2 and 3 when far enough past. (The service's
-- reminders, action_item_due_soon, and the items' scheduled deadline checks are left out: neither
-- the projections nor the report read them.)
--
-- As the service stores them (compare a row written through the API): event data is the record
-- in camelCase, enums by their C# names ("Critical"), instants in UTC with a Z and only the
-- fraction digits needed (StoreSetup's converter); type is the record's name in snake_case;
-- timestamp is the event's instant; a user's event carries the request's correlation and
-- causation ids and its traceparent header, a scheduler step the deadline check's key as causation.
set client_min_messages = warning;
create function pg_temp.z(t timestamptz) returns text language sql immutable as $$
    select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || coalesce('.' || nullif(rtrim(to_char(t at time zone 'UTC', 'US'), '0'), ''), '') || 'Z' $$;

-- One row per item. Ids are version 7 UUIDs of the creation instant, as the service makes them.
create temporary table gen as
select i, created,
       (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || lpad(to_hex(i >> 12 & 4095), 3, '0')
           || '-8' || lpad(to_hex(i & 4095), 3, '0') || '-' || lpad(to_hex(i), 12, '0'))::uuid as id,
       'team-' || ((i / 10) % 40) as team,
       'user-' || ((i / 10) % 40) || '-' || (i % 25) as owner,
       (array['Critical','High','Medium','Low'])[1 + i % 4] as priority,
       created + interval '30 days' as due,
       case when i % 10 <> 0 then created + interval '3 days' end as done_at,
       case when i % 10 = 0 and created + interval '30 days' < now() then created + interval '30 days' end as overdue_at,
       case when i % 10 = 0 and created + interval '33 days' < now() then created + interval '33 days' end as level2_at,
       case when i % 10 = 0 and created + interval '37 days' < now() then created + interval '37 days' end as level3_at
  from (select i, date_trunc('milliseconds', now() - interval '200 days' + i * (interval '200 days' / :items)) as created,
               lpad(to_hex((extract(epoch from date_trunc('milliseconds', now() - interval '200 days' + i * (interval '200 days' / :items))) * 1000)::bigint), 12, '0') as h
          from generate_series(1, :items) i) g;
alter table gen add column version int, add column last_at timestamptz;
update gen set version = case when done_at is not null then 2
                              else 1 + (overdue_at is not null)::int + (level2_at is not null)::int + (level3_at is not null)::int end,
               last_at = coalesce(done_at, level3_at, level2_at, overdue_at, created);

-- Loading is faster with the tables' secondary indexes and foreign key built once at the end:
-- they are dropped here and made again below from their own definitions (the schema is Marten's
-- as before; the service would otherwise add what is missing on start).
create temporary table rebuilt (sql text, pos int);
insert into rebuilt
select pg_get_indexdef(i.indexrelid), 1 from pg_index i
 where i.indrelid in ('mt_events'::regclass, 'mt_doc_action_item'::regclass) and not i.indisprimary
   and not exists (select from pg_constraint c where c.conindid = i.indexrelid)
union all
select format('alter table %s add constraint %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)), 2
  from pg_constraint c where c.conrelid = 'mt_events'::regclass and c.contype = 'f';
do $$ declare r record; begin
    for r in select conrelid::regclass as t, conname from pg_constraint where conrelid = 'mt_events'::regclass and contype = 'f' loop
        execute format('alter table %s drop constraint %I', r.t, r.conname);
    end loop;
    for r in select i.indexrelid::regclass as ix from pg_index i
              where i.indrelid in ('mt_events'::regclass, 'mt_doc_action_item'::regclass) and not i.indisprimary
                and not exists (select from pg_constraint c where c.conindid = i.indexrelid) loop
        execute format('drop index %s', r.ix);
    end loop;
end $$;

insert into mt_streams (id, type, version, timestamp, created, tenant_id, compacted_version, is_archived)
select id, 'action_item', version, last_at, created, '*DEFAULT*', 0, false from gen order by created;

-- The events, small rows first, then numbered from Marten's sequence in the order of time.
create temporary table ev as
select i, 1 as version, 0 as kind, created as at from gen
union all select i, 2, 1, done_at from gen where done_at is not null
union all select i, 2, 2, overdue_at from gen where overdue_at is not null
union all select i, 3, 3, level2_at from gen where level2_at is not null
union all select i, 4, 3, level3_at from gen where level3_at is not null;
create index on ev (i);
analyze ev;

insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type,
                       correlation_id, causation_id, headers, user_name, is_archived)
select nextval('mt_events_sequence'), gen_random_uuid(), e.id, e.version,
       case e.kind
           when 0 then jsonb_build_object('itemId', e.id, 'title', 'Follow-up ' || e.i || ': pin the controller version', 'description', null,
                                          'team', e.team, 'owner', e.owner, 'priority', e.priority, 'dueAt', pg_temp.z(e.due),
                                          'source', null, 'labels', '[]'::jsonb, 'by', e.owner, 'at', pg_temp.z(e.at))
           when 1 then jsonb_build_object('itemId', e.id, 'resolution', 'Done.', 'by', e.owner, 'at', pg_temp.z(e.at))
           when 2 then jsonb_build_object('itemId', e.id, 'dueAt', pg_temp.z(e.due), 'by', 'scheduler', 'at', pg_temp.z(e.at))
           else jsonb_build_object('itemId', e.id, 'dueAt', pg_temp.z(e.due), 'level', e.version - 1, 'by', 'scheduler', 'at', pg_temp.z(e.at))
       end,
       (array['action_item_created','action_item_completed','action_item_overdue','action_item_escalated'])[e.kind + 1],
       e.at, '*DEFAULT*',
       'ActionTracker.Domain.ActionItems.' || (array['ActionItemCreated','ActionItemCompleted','ActionItemOverdue','ActionItemEscalated'])[e.kind + 1]
           || ', ActionTracker.Domain',
       case when e.kind < 2 then 'bench:' || e.i || ':' || e.version end,
       case when e.kind < 2 then 'bench:' || e.i || ':' || e.version else 'deadlines:' || e.id end,
       case when e.kind < 2 then jsonb_build_object('traceparent', '00-' || md5(e.id::text || e.version) || '-' || lpad(to_hex(e.i), 16, '0') || '-00') end,
       case when e.kind < 2 then e.owner else 'scheduler' end,
       false
  from (select ev.i, ev.version, ev.kind, ev.at, gen.id, gen.team, gen.owner, gen.priority, gen.due
          from ev join gen using (i)
         order by ev.at, ev.i, ev.version) e;

-- Each item's document as the inline projection (ActionItem.Evolve) leaves it after its events;
-- mt_version is the stream's version, mt_last_modified the last append.
insert into mt_doc_action_item (id, data, mt_last_modified, mt_dotnet_type, mt_version, team, owner, status, priority,
                                due_at, created_at, updated_at, urgency, completed_at, sourceref)
select id,
       jsonb_build_object('id', id, 'title', 'Follow-up ' || i || ': pin the controller version', 'description', null,
                          'team', team, 'owner', owner, 'priority', priority,
                          'status', case when done_at is null then 'Open' else 'Done' end,
                          'dueAt', pg_temp.z(due), 'source', null, 'labels', '[]'::jsonb,
                          'createdAt', pg_temp.z(created), 'updatedAt', pg_temp.z(coalesce(done_at, created)),
                          'completedAt', pg_temp.z(done_at), 'ownerPostponements', 0,
                          'escalationLevel', case when level3_at is not null then 3 when level2_at is not null then 2
                                                  when overdue_at is not null then 1 else 0 end,
                          'comments', 0, 'remindedFor', null,
                          'lastNotifiedAt', pg_temp.z(coalesce(level3_at, level2_at, overdue_at)),
                          'isTerminal', done_at is not null, 'urgency', i % 4),
       last_at, 'ActionTracker.Domain.ActionItems.ActionItem', version, team, owner,
       case when done_at is null then 'Open' else 'Done' end, priority, due, created, coalesce(done_at, created), i % 4, done_at, null
  from gen order by created;

set maintenance_work_mem = '256MB';
do $$ declare r record; begin
    for r in select sql from rebuilt order by pos loop execute r.sql; end loop;
end $$;

vacuum analyze mt_streams;
vacuum analyze mt_events;
vacuum analyze mt_doc_action_item;
