-- pgbench: the minimal transaction of the shape the service's comment has on Marten's tables
-- (see ops/bench/write-path). Round trip 1 reads the item's stream version and document, as
-- Marten's FetchForWriting does. Round trip 2 is one pipeline, one implicit transaction: the
-- stream row moved on, the event inserted, the item's document updated. What the service adds on
-- top (Marten's append function with its version check and tenant lookup, an upsert of the whole
-- document, the explicit BEGIN and COMMIT) is the difference the benchmark shows.
\set n random(1, :items)
select s.id as sid, s.version as v, d.data as doc
  from bench_items b join mt_streams s on s.id = b.id join mt_doc_action_item d on d.id = b.id
 where b.n = :n \gset
\startpipeline
with s as (update mt_streams set version = version + 1, timestamp = now() where id = :sid::uuid returning id, version)
insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id,
                       causation_id, user_name, is_archived)
select nextval('mt_events_sequence'), gen_random_uuid(), s.id, s.version,
       jsonb_build_object('at', now(), 'by', 'bench', 'text', 'Checked the runbook again.', 'itemId', s.id, 'commentId', gen_random_uuid()),
       'action_item_commented', now(), '*DEFAULT*', 'ActionTracker.Domain.ActionItems.ActionItemCommented, ActionTracker.Domain',
       'pgbench', 'pgbench', 'bench', false
  from s;
update mt_doc_action_item
   set data = jsonb_set(jsonb_set(data, '{comments}', to_jsonb((data->>'comments')::int + 1)), '{updatedAt}', to_jsonb(now())),
       mt_version = mt_version + 1, mt_last_modified = now()
 where id = :sid::uuid;
\endpipeline
