using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;
using ActionTracker.Api.ActionItems;
using Npgsql;

namespace ActionTracker.Api.Demo;

/// <summary>
/// With <c>Demo:Seed=true</c>, fills an empty database with three teams and their action items in
/// several states, written through the domain like any other change, so the history is real. The
/// stories are made up for the demo.
/// </summary>
public sealed partial class DemoData(
    EventStore.EventStore store,
    NpgsqlDataSource db,
    Teams.TeamDirectory teams,
    TimeProvider time,
    DueDatePolicy policy,
    ILogger<DemoData> logger) : IHostedService
{
    private sealed record Story(
        string Team, string Owner, Priority Priority, int CreatedDaysAgo, string Title, string Description,
        string PostmortemRef, string PostmortemTitle, params (int DaysAgo, ActionItemCommand Command, string By)[] Later);

    public async Task StartAsync(CancellationToken ct)
    {
        await using (var any = db.CreateCommand("select exists (select 1 from streams where type = 'action_item')"))
            if (await any.ExecuteScalarAsync(ct) is true)
                return;

        var now = time.Now();
        foreach (var (slug, name, leads, contact, zone) in new[]
                 {
                     ("platform", "Platform", new[] { "lena" }, "vp-eng", "Europe/Berlin"),
                     ("payments", "Payments", new[] { "paul" }, "cfo-office", "America/New_York"),
                     ("identity", "Identity", new[] { "frank-lead" }, "vp-eng", "Asia/Tokyo"),
                 })
            await teams.Save(new Teams.Team(slug, name, leads, contact, null, zone, now, 0), ct);
        var stories = Stories(now);
        foreach (var story in stories)
            await Write(story, now, ct);
        LogSeeded(stories.Count);
    }

    private async Task Write(Story story, DateTimeOffset now, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now.AddDays(-story.CreatedDaysAgo));
        await using var session = store.OpenSession(new EventMetadata("demo-seed"));
        var created = now.AddDays(-story.CreatedDaysAgo);
        var creator = Caller.Create(story.Owner, [story.Team], [Caller.MemberRole]);
        var stream = session.StartStream<ActionItem>(id, ActionItemDecider.Decide(null,
            new CreateActionItem(id, story.Title, story.Description, story.Team, story.Owner, story.Priority, null,
                new ItemSource("postmortem", story.PostmortemRef, story.PostmortemTitle), ["demo"]),
            new DecisionContext(creator, created, policy)));
        foreach (var (daysAgo, command, by) in story.Later)
        {
            var caller = Caller.Create(by, [story.Team], by.EndsWith("-lead", StringComparison.Ordinal) ? [Caller.LeadRole] : [Caller.MemberRole]);
            stream.Append(ActionItemDecider.Decide(stream.State, command, new DecisionContext(caller, now.AddDays(-daysAgo), policy)));
        }
        await session.SaveChanges(ct);
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
