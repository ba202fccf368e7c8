using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Marten;
using Wolverine;

namespace ActionTracker.Api.Postmortems;

/// <summary>An action the import was asked to track, with the item id derived from it.</summary>
public sealed record ChosenAction(FoundAction Action, Guid Id);

/// <summary>
/// An import, read and permitted, as Wolverine carries it from <see cref="PostmortemImporter"/> to
/// <see cref="ImportPostmortemHandler"/>. Invoked in process only, never sent or stored.
/// </summary>
public sealed record ImportPostmortem(
    PostmortemImport Import, Caller Caller, EventMetadata Metadata,
    IReadOnlyList<ChosenAction> Actions, IReadOnlyList<SkippedEntry> SkippedByTheParser)
{
    // Wolverine logs a failed invocation with the message: the ref, not the document.
    public override string ToString() => $"import of postmortem {Import.Ref}";
}

/// <summary>What an import came to, or why it was refused (returned, not thrown, so that the retry policy for a lost race never sees it).</summary>
public sealed record ImportAttempt(ImportOutcome? Outcome, Exception? Refusal);

/// <summary>
/// Starts the streams of the actions not imported before and records the postmortem, in the one
/// transaction of the Marten session Wolverine opens (enlisted in its outbox, so each item's first
/// deadline check commits with it). A concurrent import of the same postmortem that started one
/// of these items first makes this attempt fail whole: the chain's policy
/// (<see cref="InlineCommands"/>) runs it again, and it then skips what now exists.
/// </summary>
public static class ImportPostmortemHandler
{
    public static async Task<ImportAttempt> Handle(
        ImportPostmortem command,
        IDocumentSession session,
        IMessageBus bus,
        PostmortemImporter importer,
        ItemStreams items,
        DecisionContexts contexts,
        Teams.TeamDirectory teams,
        CancellationToken ct)
    {
        try
        {
            return new ImportAttempt(await Import(command, session, bus, importer, items, contexts, teams, ct), null);
        }
        catch (Exception e) when (e is DomainException or ApiException)
        {
            return new ImportAttempt(null, e);
        }
    }

    private static async Task<ImportOutcome> Import(ImportPostmortem command, IDocumentSession session, IMessageBus bus,
        PostmortemImporter importer, ItemStreams items, DecisionContexts contexts, Teams.TeamDirectory teams, CancellationToken ct)
    {
        var (import, caller) = (command.Import, command.Caller);
        session.Stamp(command.Metadata);
        var (storedTitle, owningTeam, existing) = await importer.Existing(import.Ref, command.Actions.Select(a => a.Id).ToArray(), ct);
        if (owningTeam is not null)
            PostmortemImporter.EnsureMayUseRef(import.Ref, owningTeam, import.Team, await teams.WithListedLeads(caller, owningTeam, ct));

        var fresh = command.Actions.Where(a => !existing.Contains(a.Id)).ToList();
        var skipped = command.SkippedByTheParser
            .Concat(command.Actions.Where(a => existing.Contains(a.Id)).Select(a => new SkippedEntry(a.Action.Title, PostmortemImporter.AlreadyImported, a.Action.Line)))
            .OrderBy(s => s.Line)
            .ToList();
        // The team's policy then in force sets the default due dates.
        var context = await contexts.For(caller, import.Team, ct);
        var now = context.Now;
        if (fresh.Count == 0 && storedTitle is not null)
            return new ImportOutcome(import.Ref, storedTitle, [], skipped, now);
        // A ref is its first team's (EnsureMayUseRef): an import that creates nothing must not
        // take a name another team will need, unless a lead of the team claims it on purpose.
        if (fresh.Count == 0 && !caller.IsAdmin && !caller.LeadsTeam(import.Team))
            throw new InvalidRequest("text",
                $"The document has no action to import ({skipped.Count} entries skipped"
                + (skipped.Count == 0 ? "" : ": " + string.Join("; ", skipped.Take(5).Select(s => $"line {s.Line}, {s.Reason}")))
                + $"). Nothing was imported and the ref '{import.Ref}' stays free: it belongs to the team of the first import that creates an item, or a lead of the team claims it.");

        // The first import names the postmortem; later ones link their items to that name.
        var title = storedTitle ?? import.Title;
        var source = new ItemSource(PostmortemStore.SourceKind, import.Ref, title);
        var created = new List<(ActionItem, long)>(fresh.Count);
        foreach (var (action, id) in fresh)
        {
            var events = ActionItemDecider.Decide(null,
                new CreateActionItem(id, action.Title, action.Description, import.Team, import.Owner, import.Priority, null, source,
                    action.Checked ? [PostmortemImporter.CheckedLabel] : null),
                context);
            created.Add((await items.Start(session, bus, id, events, context.Ladder), events.Count));
        }
        session.Sql().Add(
            """
            insert into postmortems (ref, title, team, incident_at, imported_at, imported_by, updated_at)
            values ($1, $2, $3, $4, $5, $6, $5)
            on conflict (ref) do update set updated_at = excluded.updated_at
            """,
            import.Ref, title, import.Team, import.IncidentAt, now, caller.Id);
        session.Sql().Add(
            """
            insert into postmortem_actions (item_id, ref, line, fingerprint)
            select u.id, $1, u.line, u.fingerprint from unnest($2::uuid[], $3::int[], $4::text[]) as u(id, line, fingerprint)
            """,
            import.Ref, fresh.Select(f => f.Id).ToArray(), fresh.Select(f => f.Action.Line).ToArray(),
            fresh.Select(f => f.Action.Fingerprint).ToArray());
        return new ImportOutcome(import.Ref, title, created, skipped, now);
    }
}
