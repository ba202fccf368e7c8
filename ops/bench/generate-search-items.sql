-- Synthetic item documents for the search benchmark (ops/bench/search): psql -v items=N.
-- Only the documents (mt_doc_action_item), as the inline projection leaves them: the list reads
-- nothing else. Titles and descriptions draw on small vocabularies so that a word's share of the
-- items is known: each verb is in 1 item of 20, each object in 1 of 50, each system in 1 of 40,
-- each ticket word (ops0 … ops9999) in 1 of 10,000. Labels: one or two of five.
set client_min_messages = warning;
create function pg_temp.z(t timestamptz) returns text language sql immutable as $$
    select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || coalesce('.' || nullif(rtrim(to_char(t at time zone 'UTC', 'US'), '0'), ''), '') || 'Z' $$;

create temporary table gen as
select i, gen_random_uuid() as id,
       now() - interval '400 days' + i * (interval '400 days' / :items) as created,
       'team-' || (i % 40) as team,
       'user-' || (i % 40) || '-' || (i % 25) as owner,
       (array['Critical','High','Medium','Low'])[1 + i % 4] as priority,
       (array['rotate','pin','document','alert','restart','mirror','automate','test','review','monitor',
              'upgrade','limit','cache','retry','backup','audit','migrate','rollback','tune','verify'])[1 + i % 20]
       || ' the ' ||
       (array['certificates','versions','runbooks','dashboards','queues','images','deployments','quotas','timeouts','replicas',
              'indexes','secrets','webhooks','schedules','firewalls','resolvers','caches','tokens','pipelines','volumes',
              'leases','backups','mirrors','probes','limits','retries','alerts','pagers','migrations','snapshots',
              'clusters','nodes','pools','routes','gateways','proxies','buckets','topics','streams','jobs',
              'builds','charts','policies','roles','keys','zones','records','hooks','agents','sidecars'])[1 + (i / 20) % 50]
       || ' of ' ||
       (array['billing','search','ledger','payments','identity','gateway','storage','mail','chat','reports',
              'exports','imports','checkout','catalog','pricing','inventory','shipping','returns','reviews','ratings',
              'feeds','alerts','metrics','logging','tracing','auth','sso','cdn','dns','vpn',
              'kafka','postgres','redis','flux','helm','terraform','vault','consul','nomad','envoy'])[1 + (i / 1000) % 40] as title,
       'Raised in the postmortem of ops' || (i % 10000) || '; keep it from happening again.' as description,
       case i % 5 when 0 then '["dns","security"]' when 1 then '["gitops"]' when 2 then '["network","dns"]'
                  when 3 then '["database"]' else '["security"]' end as labels
  from generate_series(1, :items) i;

-- Secondary indexes are built once, after the load, from their own definitions and with the
-- statistics targets the service's migrations set on them (a definition does not carry those).
create temporary table rebuilt as
select pg_get_indexdef(i.indexrelid) as sql, 1 as pos from pg_index i
 where i.indrelid = 'mt_doc_action_item'::regclass and not i.indisprimary
union all
select format('alter index %s alter column %s set statistics %s', a.attrelid::regclass, a.attnum, a.attstattarget), 2
  from pg_index i join pg_attribute a on a.attrelid = i.indexrelid
 where i.indrelid = 'mt_doc_action_item'::regclass and not i.indisprimary and a.attstattarget > 0;
do $$ declare r record; begin
    for r in select i.indexrelid::regclass as ix from pg_index i
              where i.indrelid = 'mt_doc_action_item'::regclass and not i.indisprimary loop
        execute format('drop index %s', r.ix);
    end loop;
end $$;

insert into mt_doc_action_item (id, data, mt_last_modified, mt_dotnet_type, mt_version, team, owner, status, priority,
                                due_at, created_at, updated_at, urgency, completed_at, sourceref)
select id,
       jsonb_build_object('id', id, 'title', title, 'description', description, 'team', team, 'owner', owner,
                          'priority', priority, 'status', case when i % 10 = 0 then 'Open' else 'Done' end,
                          'dueAt', pg_temp.z(created + interval '30 days'), 'source', null, 'labels', labels::jsonb,
                          'createdAt', pg_temp.z(created), 'updatedAt', pg_temp.z(created), 'completedAt', null,
                          'ownerPostponements', 0, 'escalationLevel', 0, 'comments', 0, 'remindedFor', null,
                          'lastNotifiedAt', null, 'isTerminal', i % 10 <> 0, 'urgency', i % 4),
       created, 'ActionTracker.Domain.ActionItems.ActionItem', 1, team, owner,
       case when i % 10 = 0 then 'Open' else 'Done' end, priority, created + interval '30 days', created, created, i % 4, null, null
  from gen order by created;

set maintenance_work_mem = '512MB';
do $$ declare r record; begin
    for r in select sql from rebuilt order by pos loop execute r.sql; end loop;
end $$;
vacuum analyze mt_doc_action_item;
