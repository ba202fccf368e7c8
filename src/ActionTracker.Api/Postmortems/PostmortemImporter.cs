using System.Security.Cryptography;
using System.Text;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using ActionTracker.Api.Infrastructure.Store;
using Marten;
using System.Runtime.ExceptionServices;
using Npgsql;
using Wolverine;
using Wolverine.Runtime;

namespace ActionTracker.Api.Postmortems;

/// <summary>What to import: the document and who the items it yields are for.</summary>
/// <param name="Priority">Medium when null, as for any new item.</param>
/// <param name="Sections">Headings to import from instead of the detected action sections.</param>
/// <param name="Candidates">Exactly these candidates of a preview, by their text, instead of every action.</param>
public sealed record PostmortemImport(
    string Ref, string Title, string Team, string Owner, Priority? Priority, DateTimeOffset? IncidentAt, string Text,
    IReadOnlyList<string>? Sections = null, IReadOnlyList<string>? Candidates = null);

public sealed record ImportOutcome(
    string Ref, string Title, IReadOnlyList<(ActionItem Item, long Version)> Created,
    IReadOnlyList<SkippedEntry> Skipped, DateTimeOffset At);

/// <summary>
/// Turns a postmortem's actions into action items, all in one transaction with the postmortem's row.
/// <para>
/// Each item's id is derived from the postmortem's ref and the action's normalised text, so an
/// action already imported is recognised by its id alone, and a concurrent import of the same
/// action fails to start the same stream: the loser's transaction writes nothing, and it looks
/// again at what now exists. Re-importing therefore only ever adds the actions not seen before.
/// </para>
/// </summary>
public sealed partial class PostmortemImporter(
    IWolverineRuntime wolverine,
    NpgsqlDataSource db,
    Teams.TeamDirectory teams,
    ILogger<PostmortemImporter> logger)
{
    public const string AlreadyImported = "already imported";

    /// <summary>
    /// A ticked box is still imported as an open action: the document cannot say who verified the
    /// work or when, and the tracker is where completion is recorded. The label makes such items
    /// easy to find and close.
    /// </summary>
    public const string CheckedLabel = "checked-in-document";

    /// <summary>One import starts this many streams at most, in one transaction.</summary>
    public const int MaxActions = 200;

    /// <summary>
    /// Reads the document and checks the caller may import it here, then hands the import to
    /// Wolverine (<see cref="ImportPostmortemHandler"/>: one transaction, looked at again after a
    /// concurrent import of the same actions).
    /// </summary>
    public async Task<ImportOutcome> Import(PostmortemImport import, Caller caller, EventMetadata metadata, CancellationToken ct)
    {
        caller = await teams.WithListedLeads(caller, import.Team, ct);
        var (parsed, chosen) = Choose(import, caller, ct);
        var actions = chosen.Select(a => new ChosenAction(a, ItemId(import.Ref, a.Fingerprint))).ToList();
        var bus = new MessageBus(wolverine) { CorrelationId = metadata.CorrelationId };
        var attempt = await bus.InvokeAsync<ImportAttempt>(
            new ImportPostmortem(import, caller, metadata, actions, import.Candidates is null ? parsed.Skipped : []), ct);
        if (attempt.Refusal is { } refusal)
            ExceptionDispatchInfo.Throw(refusal);
        var outcome = attempt.Outcome!;
        if (outcome.Created.Count > 0)
            LogImported(import.Ref, outcome.Created.Count, outcome.Skipped.Count);
        return outcome;
    }

    /// <summary>
    /// A name-based id (RFC 9562 version 8 from SHA-256) of the postmortem and the action's
    /// normalised text: the same action of the same postmortem is always the same item.
    /// </summary>
    public static Guid ItemId(string reference, string fingerprint) =>
        StreamIds.FromName($"actiontracker/postmortem-action\n{reference}\n{fingerprint}");

    /// <summary>The document read as the import asks (detected sections, named sections or chosen candidates) and the actions to import.</summary>
    public static (ParsedPostmortem Parsed, IReadOnlyList<FoundAction> Actions) Choose(PostmortemImport import, Caller caller, CancellationToken ct)
    {
        EnsureMayImport(import.Team, caller);
        var parsed = Read(import, ct);
        IReadOnlyList<FoundAction> actions;
        if (import.Candidates is { } texts)
        {
            var candidates = Preview.PostmortemPreview.Candidates(parsed)
                .GroupBy(c => c.Fingerprint).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var unknown = texts.Where(t => !candidates.ContainsKey(PostmortemParser.Fingerprint(t))).ToList();
            if (unknown.Count > 0)
                throw new InvalidRequest("candidates",
                    $"Not a candidate of this document: {string.Join("; ", unknown.Select(t => $"\"{t}\""))}. Choose texts as POST /api/postmortems/preview lists them.");
            actions = texts.Select(t => candidates[PostmortemParser.Fingerprint(t)]).DistinctBy(c => c.Fingerprint)
                .Select(c => new FoundAction(c.Text, c.Description, c.Fingerprint, c.Checked, c.Section, c.Line)).ToList();
        }
        else
        {
            if (!parsed.HasActionSection)
            {
                var detail = NoActionSection(parsed);
                throw new InvalidRequest(new Dictionary<string, string[]> { ["text"] = [detail] }, detail);
            }
            actions = parsed.Actions;
        }
        if (actions.Count > MaxActions)
            throw new InvalidRequest("text", $"The document lists {actions.Count} actions; at most {MaxActions} are imported at once.");
        return (parsed, actions);
    }

    /// <summary>Checked before anything is read, so an outsider learns nothing, not even "already imported".</summary>
    public static void EnsureMayImport(string team, Caller caller)
    {
        if (!caller.BelongsTo(team) && !caller.IsService && !caller.IsAdmin)
            throw new NotPermitted($"Only members of team '{team}', services and admins may import its postmortems.");
    }

    /// <summary>The document parsed with the sections the import names; a name the document does not have is a 400.</summary>
    public static ParsedPostmortem Read(PostmortemImport import, CancellationToken ct)
    {
        var parsed = PostmortemParser.Parse(import.Text, import.Sections, ct);
        if (import.Sections is { } named)
        {
            var headings = parsed.Sections.Select(s => PostmortemParser.Fingerprint(s.Heading)).ToHashSet(StringComparer.Ordinal);
            var missing = named.Where(n => !headings.Contains(PostmortemParser.Fingerprint(n))).ToList();
            if (missing.Count > 0)
                throw new InvalidRequest("section",
                    $"The document has no heading {string.Join(", ", missing.Select(m => $"\"{m}\""))}. Headings found: "
                    + string.Join(", ", parsed.Sections.Select(s => $"\"{s.Heading}\"").Distinct().Take(30)) + ".");
        }
        return parsed;
    }

    public static string NoActionSection(ParsedPostmortem parsed)
    {
        var found = parsed.Sections.Select(s => s.Heading)
            .Where(h => h.Length > 0 && !PostmortemParser.IsStatusUpdate(h))
            .Distinct(StringComparer.Ordinal).Take(20).ToList();
        return "The document has no action-item section: no heading named "
               + string.Join(", ", PostmortemParser.ActionSectionNames.Select(n => $"\"{n}\""))
               + " or the like"
               + (found.Count == 0 ? ", and no headings at all." : $". Headings found: {string.Join(", ", found.Select(h => $"\"{h}\""))}.")
               + " Preview it (POST /api/postmortems/preview) to see its candidates, then import the ones chosen (candidates) or name the sections to import from (section).";
    }

    /// <summary>The postmortem's stored title (null when new) and which of the items already exist, in one round trip.</summary>
    /// <summary>
    /// A postmortem's ref belongs to the team that first imported it: items of another team are
    /// neither imported into it nor linked to it, unless the caller leads the owning team or is
    /// an admin (API.md, ownership of shared names).
    /// </summary>
    public static void EnsureMayUseRef(string reference, string owningTeam, string team, Caller caller)
    {
        if (owningTeam != team && !caller.IsAdmin && !caller.LeadsTeam(owningTeam))
            throw new NotPermitted($"Postmortem '{reference}' belongs to team '{owningTeam}'; only its leads and admins may link items of team '{team}' to it.");
    }

    /// <summary>The postmortem's stored title and owning team (null when new), and which of the ids are items already.</summary>
    public async Task<(string? Title, string? Team, HashSet<Guid> Existing)> Existing(string reference, Guid[] ids, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select title, team from postmortems where ref = $1") { Parameters = { new() { Value = reference } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select id from mt_streams where id = any($1)") { Parameters = { new() { Value = ids } } });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var (title, team) = await reader.ReadAsync(ct) ? (reader.GetString(0), reader.GetString(1)) : ((string?)null, (string?)null);
        await reader.NextResultAsync(ct);
        var existing = new HashSet<Guid>();
        while (await reader.ReadAsync(ct))
            existing.Add(reader.GetGuid(0));
        return (title, team, existing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported postmortem {Ref}: {Created} items created, {Skipped} entries skipped")]
    private partial void LogImported(string @ref, int created, int skipped);
}
