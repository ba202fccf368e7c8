-- pgbench: what the service sends for one comment (see ops/bench/write-path), as SQL.
-- Round trip 1 reads the item's state row (as the service does, instead of folding its events).
-- Round trip 2 is one pipeline,
-- like the service's NpgsqlBatch: the stream lock and guard, the event, the read model row.
-- The service tries optimistically first and takes the lock only after losing a race; here the
-- lock is always taken, since pgbench cannot retry a version conflict.
\set n random(1, :items)
select a.id as sid, a.version as v, a.title, a.description, a.team, a.owner, a.priority, a.status, a.due_at,
       a.escalation_level, a.source_kind, a.source_ref, a.source_title, a.labels, a.created_at, a.updated_at,
       a.completed_at, a.owner_postponements, a.comments, a.reminded_for, a.last_notified_at, a.listed
  from bench_items b join action_items a on a.id = b.id
 where b.n = :n \gset
\startpipeline
select pg_advisory_xact_lock(stream_lock_key(:sid::uuid));
with s as (update streams set version = version + 1, updated_at = now() where id = :sid::uuid returning id, version)
insert into events (id, stream_id, version, type, data, metadata, occurred_at)
select gen_random_uuid(), s.id, s.version, 'action_item_commented',
       jsonb_build_object('at', now(), 'by', 'bench', 'text', 'Checked the runbook again.', 'itemId', s.id, 'commentId', gen_random_uuid()),
       '{"actor": "bench", "correlationId": "pgbench"}'::jsonb, now()
  from s;
-- The read model row is written as the service writes it: an upsert of every column.
insert into action_items (id, title, description, team, owner, priority, status, due_at, escalation_level, source_kind,
                          source_ref, source_title, labels, created_at, updated_at, completed_at, version,
                          owner_postponements, comments, reminded_for, last_notified_at)
select id, title, description, team, owner, priority, status, due_at, escalation_level, source_kind,
       source_ref, source_title, labels, created_at, now(), completed_at, version + 1,
       owner_postponements, comments + 1, reminded_for, last_notified_at
  from action_items where id = :sid::uuid
on conflict (id) do update set (id, title, description, team, owner, priority, status, due_at, escalation_level, source_kind,
                                source_ref, source_title, labels, created_at, updated_at, completed_at, version,
                                owner_postponements, comments, reminded_for, last_notified_at)
    = (excluded.id, excluded.title, excluded.description, excluded.team, excluded.owner, excluded.priority, excluded.status,
       excluded.due_at, excluded.escalation_level, excluded.source_kind, excluded.source_ref, excluded.source_title,
       excluded.labels, excluded.created_at, excluded.updated_at, excluded.completed_at, excluded.version,
       excluded.owner_postponements, excluded.comments, excluded.reminded_for, excluded.last_notified_at);
\endpipeline
