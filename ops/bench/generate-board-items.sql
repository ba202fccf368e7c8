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

-- The metrics projection's documents (the board's 12-week chart reads them): one per item above,
-- and 1,000 items of the team opened over the last 18 weeks and closed within 25 days of opening,
-- 60 % by their due date (14 days), a fifth postponed once.
insert into mt_doc_item_metrics (id, data, mt_dotnet_type, team, priority, opened_at, closed_at, first_overdue_at)
select id, jsonb_build_object('id', id, 'team', team, 'priority', lower(priority), 'openedAt', pg_temp.z(created_at),
                              'dueAt', pg_temp.z(due_at), 'firstOverdueAt', case when due_at < now() then pg_temp.z(due_at) end,
                              'postponed', '[]'::jsonb, 'closedAt', null, 'closedOnTime', null, 'done', false),
       'ActionTracker.Api.Reports.ItemMetrics', team, lower(priority), created_at, null, case when due_at < now() then due_at end
  from mt_doc_action_item;
insert into mt_doc_item_metrics (id, data, mt_dotnet_type, team, priority, opened_at, closed_at, first_overdue_at)
select id, jsonb_build_object('id', id, 'team', 'board', 'priority', priority, 'openedAt', pg_temp.z(opened),
                              'dueAt', pg_temp.z(opened + interval '14 days'), 'firstOverdueAt', null,
                              'postponed', case when i % 5 = 0 then jsonb_build_array(pg_temp.z(opened + interval '3 days')) else '[]'::jsonb end,
                              'closedAt', pg_temp.z(closed), 'closedOnTime', closed <= opened + interval '14 days', 'done', i % 10 <> 0),
       'ActionTracker.Api.Reports.ItemMetrics', 'board', priority, opened, closed, null
  from (select i, gen_random_uuid() as id, (array['critical','high','medium','low'])[1 + i % 4] as priority,
               now() - interval '125 days' + i * (interval '100 days' / 1000) as opened,
               now() - interval '125 days' + i * (interval '100 days' / 1000) + (i % 25) * interval '1 day' as closed
          from generate_series(1, 1000) i) g;
vacuum analyze mt_doc_item_metrics;
