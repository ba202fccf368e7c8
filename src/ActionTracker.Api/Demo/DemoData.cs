using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Postmortems;
using ActionTracker.Api.Infrastructure.Messaging;
using Npgsql;

namespace ActionTracker.Api.Demo;

/// <summary>
/// With <c>Demo:Seed=true</c>, fills an empty database with three teams and their action items in
/// several states, written through the domain like any other change, so the history is real, and
/// imports a few postmortem documents through the same importer as <c>POST /api/postmortems</c>.
/// The stories and documents are made up for the demo.
/// </summary>
public sealed partial class DemoData(
    OutboxSessions sessions,
    ItemStreams items,
    NpgsqlDataSource db,
    Teams.TeamDirectory teams,
    TimeProvider time,
    DueDatePolicy policy,
    EscalationPolicy ladder,
    PostmortemImporter importer,
    ILogger<DemoData> logger) : IHostedService
{
    /// <param name="Resource">A file of <c>Demo/postmortems</c>, embedded in the assembly.</param>
    /// <param name="Done">How many of its items the owner has completed since.</param>
    private sealed record DemoPostmortem(
        string Resource, string Ref, string Title, string Team, string Owner, Priority Priority, int IncidentDaysAgo, int Done);

    private static readonly DemoPostmortem[] Postmortems =
    [
        new("resolver-upgrade.md", "pm-resolver-upgrade", "Internal name lookups failing after a resolver upgrade",
            "platform", "bob", Priority.High, 9, 1),
        new("ledger-export-delay.txt", "pm-settlement-export", "Delayed settlement exports",
            "payments", "dave", Priority.Medium, 25, 2),
        new("sso-certificate.md", "pm-sso-certificate", "Single sign-on outage after a certificate rotation",
            "identity", "erin", Priority.High, 54, 0),
    ];

    private sealed record Story(
        string Team, string Owner, Priority Priority, int CreatedDaysAgo, string Title, string Description,
        string PostmortemRef, string PostmortemTitle, params (int DaysAgo, ActionItemCommand Command, string By)[] Later);

    public async Task StartAsync(CancellationToken ct)
    {
        var now = time.Now();
        bool seeded;
        await using (var any = db.CreateCommand("select exists (select 1 from mt_doc_action_item)"))
            seeded = await any.ExecuteScalarAsync(ct) is true;
        if (!seeded)
        {
            foreach (var (slug, name, leads, contact, zone) in new[]
                     {
                         ("platform", "Platform", new[] { "lena" }, "vp-eng", "Europe/Berlin"),
                         ("payments", "Payments", new[] { "paul" }, "cfo-office", "America/New_York"),
                         ("identity", "Identity", new[] { "frank-lead" }, "vp-eng", "Asia/Tokyo"),
                     })
                await teams.Save(new Teams.Team(slug, name, leads, contact, null, zone, now, 0), "demo-seed", null, ct);
            var stories = Stories(now);
            foreach (var story in stories)
                await Write(story, now, ct);
            LogSeeded(stories.Count);
        }

        // Re-importing is a no-op, so the postmortems are imported on every start: a database
        // seeded before they existed gets them too, and nothing is ever doubled.
        var imported = 0;
        foreach (var postmortem in Postmortems)
            imported += await Import(postmortem, now, ct);
        if (imported > 0)
            LogImported(Postmortems.Length, imported);
    }

    private async Task<int> Import(DemoPostmortem postmortem, DateTimeOffset now, CancellationToken ct)
    {
        string text;
        await using (var resource = typeof(DemoData).Assembly.GetManifestResourceStream($"demo-postmortems/{postmortem.Resource}")
                                    ?? throw new InvalidOperationException($"Demo postmortem {postmortem.Resource} is not embedded."))
        using (var reader = new StreamReader(resource))
            text = await reader.ReadToEndAsync(ct);

        var owner = Caller.Create(postmortem.Owner, [postmortem.Team], [Caller.MemberRole]);
        var metadata = new EventMetadata("demo-seed");
        var outcome = await importer.Import(
            new PostmortemImport(postmortem.Ref, postmortem.Title, postmortem.Team, postmortem.Owner, postmortem.Priority,
                now.AddDays(-postmortem.IncidentDaysAgo), text),
            owner, metadata, ct);

        // Some work already finished, so the postmortem's progress shows something.
        foreach (var (item, _) in outcome.Created.Take(postmortem.Done))
        {
            await using var outbox = sessions.Open(metadata);
            var session = outbox.Session;
            var stream = await session.Events.FetchForWriting<ActionItem>(item.Id, ct);
            await items.Append(outbox.Bus, stream, ActionItemDecider.Decide(stream.Aggregate,
                new ChangeStatus(ItemStatus.Done, null, "Done and verified in the last game day."), new DecisionContext(owner, now, policy)), ladder);
            await session.SaveChangesAsync(ct);
        }
        return outcome.Created.Count;
    }

    private async Task Write(Story story, DateTimeOffset now, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now.AddDays(-story.CreatedDaysAgo));
        await using var outbox = sessions.Open(new EventMetadata("demo-seed"));
        var session = outbox.Session;
        var created = now.AddDays(-story.CreatedDaysAgo);
        var creator = Caller.Create(story.Owner, [story.Team], [Caller.MemberRole]);
        var events = ActionItemDecider.Decide(null,
            new CreateActionItem(id, story.Title, story.Description, story.Team, story.Owner, story.Priority, null,
                new ItemSource("postmortem", story.PostmortemRef, story.PostmortemTitle), ["demo"]),
            new DecisionContext(creator, created, policy)).ToList();
        foreach (var (daysAgo, command, by) in story.Later)
        {
            var caller = Caller.Create(by, [story.Team], by.EndsWith("-lead", StringComparison.Ordinal) ? [Caller.LeadRole] : [Caller.MemberRole]);
            events.AddRange(ActionItemDecider.Decide(ActionItem.Fold(events), command, new DecisionContext(caller, now.AddDays(-daysAgo), policy)));
        }
        await items.Start(session, outbox.Bus, id, events, ladder);
        // The postmortem the story's item comes from exists too (without a document), so its link
        // leads somewhere: GET /api/postmortems/{ref} shows it with its items and progress.
        session.Sql().Add(
            """
            insert into postmortems (ref, title, team, incident_at, imported_at, imported_by, updated_at)
            values ($1, $2, $3, $4, $5, 'demo-seed', $5) on conflict (ref) do nothing
            """,
            story.PostmortemRef, story.PostmortemTitle, story.Team, created.AddDays(-1), created);
        await session.SaveChangesAsync(ct);
    }

    private static IReadOnlyList<Story> Stories(DateTimeOffset now) =>
    [
        new("platform", "alice", Priority.High, 45, "Pin the GitOps controller version",
            "Scheduled pipelines pulled a new controller release that changed reconciliation defaults; pin it and upgrade on purpose.",
            "pm-2026-10-03-gitops", "Cluster drift after an unplanned controller upgrade",
            (44, new ChangeStatus(ItemStatus.InProgress, null, null), "alice")),
        new("platform", "bob", Priority.Critical, 12, "Restart the ingress tier after firewall rule changes",
            "Tightened rules only applied to new connections; long-lived ones kept the old path until a restart.",
            "pm-2026-11-10-firewall", "Partial outage after a firewall change"),
        new("platform", "alice", Priority.Medium, 20, "Mirror base images to our own registry",
            "Builds failed for two hours while the public registry was down; keep a mirror we control.",
            "pm-2026-11-02-registry", "Builds blocked by a registry outage",
            (18, new ChangeStatus(ItemStatus.Blocked, "Waiting for storage quota from the infra budget review.", null), "alice")),
        new("payments", "carol", Priority.High, 30, "Alert on settlement batch lag",
            "The nightly settlement batch ran four hours late before anyone noticed.",
            "pm-2026-10-23-settlement", "Late settlement batch",
            (25, new ChangeStatus(ItemStatus.InProgress, null, null), "carol"),
            (10, new ChangeStatus(ItemStatus.Done, null, "Lag alert at 30 minutes, routed to the payments on-call."), "carol")),
        new("payments", "dave", Priority.Low, 100, "Document the manual refund runbook",
            "Refunds were issued by hand during the incident with no written procedure.",
            "pm-2026-08-14-refunds", "Refund API errors during a provider outage"),
        new("payments", "carol", Priority.Critical, 3, "Add idempotency keys to the payout client",
            "A retry storm paid a handful of merchants twice.",
            "pm-2026-11-19-payouts", "Duplicate payouts after client retries",
            (2, new AddComment(Guid.CreateVersion7(), "Draft change is up; needs a review from the ledger team."), "carol")),
        new("identity", "erin", Priority.Medium, 70, "Rotate the signing keys on a schedule",
            "An expired key took logins down; rotation was manual and forgotten.",
            "pm-2026-09-13-keys", "Login failures after a key expired",
            (5, new ChangeStatus(ItemStatus.WontDo, "Superseded by the move to the managed key service.", null), "frank-lead")),
        new("identity", "erin", Priority.High, 35, "Load-test the session store before peak season",
            "Session writes saturated the store during a marketing campaign.",
            "pm-2026-10-18-sessions", "Slow logins during a campaign peak",
            (8, new ChangeDueDate(now.AddDays(9), "The load-test environment is shared with the release rehearsal until next week."), "frank-lead")),
    ];

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Count} demo action items")]
    private partial void LogSeeded(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {Imported} action items from {Postmortems} demo postmortems")]
    private partial void LogImported(int postmortems, int imported);
}

public static class DemoDataExtensions
{
    public static IServiceCollection AddDemoData(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue("Demo:Seed", false))
            services.AddHostedService<DemoData>();
        return services;
    }
}
