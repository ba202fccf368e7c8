using ActionTracker.Api.Infrastructure.Schema;

namespace ActionTracker.Api.Reports;

/// <summary>
/// The overdue report's counts per team, owner and level, kept by triggers on the overdue
/// projection's documents, in the transaction that writes them. Counting the documents when the
/// report is read visited every overdue document (85,000 of 1,000,000 items: 40 ms of SQL); these
/// rows are one per team, owner and level. Triggers, not deltas applied by the projection, so the
/// counts are a function of the documents whatever writes them: the daemon's pages, a page
/// replayed after a crash, a rebuild (which truncates the documents: the counts are truncated
/// with them, then follow the replay).
/// <para>
/// Hazard: Marten owns the documents' table. Should it ever drop and create the table (a new
/// projection version), the triggers go with it and a new migration must put them back.
/// </para>
/// </summary>
public sealed class OverdueCounts : IMigrationSource
{
    public const string Module = "reports";

    public const string Table = "overdue_counts";

    public IEnumerable<Migration> Migrations { get; } =
    [
        new(Module, 1, "overdue counts kept with the documents",
            $"""
            create table {Table} (
                team varchar not null,
                owner varchar not null,
                level integer not null,
                count integer not null,
                primary key (team, owner, level));

            create function {Table}_follow() returns trigger language plpgsql as $$
            begin
                if tg_op <> 'INSERT' and old.overdue then
                    update {Table} set count = count - 1 where team = old.team and owner = old.owner and level = old.level;
                end if;
                if tg_op <> 'DELETE' and new.overdue then
                    insert into {Table} as c (team, owner, level, count) values (new.team, new.owner, new.level, 1)
                        on conflict (team, owner, level) do update set count = c.count + 1;
                end if;
                return null;
            end $$;

            create function {Table}_clear() returns trigger language plpgsql as $$
            begin
                truncate {Table};
                return null;
            end $$;

            -- The conditions run before any function is called: a rebuild's million documents
            -- cost a function call only for the overdue ones and the ones that stop being so.
            create trigger {Table}_inserted after insert on {OverdueProjection.Table}
                for each row when (new.overdue) execute function {Table}_follow();
            create trigger {Table}_updated after update on {OverdueProjection.Table}
                for each row when ((old.overdue or new.overdue) and (old.overdue, old.team, old.owner, old.level)
                                   is distinct from (new.overdue, new.team, new.owner, new.level))
                execute function {Table}_follow();
            create trigger {Table}_deleted after delete on {OverdueProjection.Table}
                for each row when (old.overdue) execute function {Table}_follow();
            create trigger {Table}_truncated after truncate on {OverdueProjection.Table}
                for each statement execute function {Table}_clear();

            -- The documents already there, counted while no one writes them.
            lock table {OverdueProjection.Table} in share mode;
            insert into {Table} (team, owner, level, count)
            select team, owner, level, count(*) from {OverdueProjection.Table} where overdue group by team, owner, level;
            """),
    ];
}
