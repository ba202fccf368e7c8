-- Synthetic item documents for the board benchmark (ops/bench/board): psql -v items=N.
-- One team ("board") with N open items, due over the last and the next 60 days (a third overdue,
-- at escalation levels 1 to 3), with titles, descriptions and labels of board-like length;
-- plus 50 items of another team, so the team filter has something to leave out.
set client_min_messages = warning;
create function pg_temp.z(t timestamptz) returns text language sql immutable as $$
    select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || coalesce('.' || nullif(rtrim(to_char(t at time zone 'UTC', 'US'), '0'), ''), '') || 'Z' $$;

insert into mt_doc_action_item (id, data, mt_last_modified, mt_dotnet_type, mt_version, team, owner, status, priority,
                                due_at, created_at, updated_at, urgency, completed_at, sourceref)
select id,
       jsonb_build_object('id', id, 'title', 'Follow-up ' || i || ': pin the controller version in every cluster',
                          'description', 'Raised in the postmortem of the outage; keep it from happening again.',
                          'team', team, 'owner', 'user-' || (i % 12), 'priority', priority,
                          'status', (array['Open','InProgress','Blocked'])[1 + i % 3], 'dueAt', pg_temp.z(due), 'source', null,
                          'labels', '["gitops","dns"]'::jsonb, 'createdAt', pg_temp.z(created), 'updatedAt', pg_temp.z(created),
                          'completedAt', null, 'ownerPostponements', 0,
                          'escalationLevel', case when due < now() then 1 + i % 3 else 0 end, 'comments', 0, 'remindedFor', null,
                          'lastNotifiedAt', null, 'isTerminal', false, 'urgency', i % 4,
                          'blockedReason', case when i % 3 = 2 then 'Waiting for the vendor.' end),
       created, 'ActionTracker.Domain.ActionItems.ActionItem', 1, team, 'user-' || (i % 12),
       (array['Open','InProgress','Blocked'])[1 + i % 3], priority, due, created, created, i % 4, null, null
  from (select i, gen_random_uuid() as id, case when i <= :items then 'board' else 'other' end as team,
               (array['Critical','High','Medium','Low'])[1 + i % 4] as priority,
               now() - interval '60 days' + i * (interval '180 days' / :items) as due,
               now() - interval '90 days' + i * (interval '90 days' / :items) as created
          from generate_series(1, :items + 50) i) g;
vacuum analyze mt_doc_action_item;
