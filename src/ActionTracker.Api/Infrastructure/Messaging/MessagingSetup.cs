using JasperFx.CodeGeneration;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace ActionTracker.Api.Infrastructure.Messaging;

/// <summary>When scheduled work is looked for (configuration <c>Scheduler</c>).</summary>
public sealed class SchedulerOptions
{
    /// <summary>How often Wolverine's durability agent releases due scheduled messages.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>False: nothing scheduled runs by itself (tests play scheduled messages on their own clock).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Wolverine carries the item commands and imports (invoked inline by the requests that make them) and the
/// service's background work as durable messages in PostgreSQL, in the same transactions as
/// Marten's events: deadline checks and the weekly digest check are scheduled messages, posts to
/// teams are messages with retries and dead letters.
/// </summary>
public static class MessagingSetup
{
    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var scheduler = configuration.GetSection("Scheduler").Get<SchedulerOptions>() ?? new();
        var checks = new RetryPolicy();
        configuration.GetSection("Scheduler").Bind(checks);
        var tables = new MessageStoreTables(MessageStoreTables.DefaultSchema);
        builder.Services.AddSingleton(tables);
        builder.Services.AddSingleton<OutboxSessions>();
        // Filled by the features as they register (MessagingRegistrations), read when the
        // handler chains compile.
        var rules = new MessageRules();
        builder.Services.AddSingleton(rules);

        builder.UseWolverine(opts =>
        {
            opts.ServiceName = "action-tracker";
            opts.ApplicationAssembly = typeof(MessagingSetup).Assembly;
            // Solo: this process runs every agent itself (tests, a single instance). Balanced
            // (the default) elects a leader that spreads the agents over the replicas.
            opts.Durability.Mode = configuration.GetValue("Messaging:Mode", DurabilityMode.Balanced);
            opts.Durability.MessageStorageSchemaName = tables.Schema;
            // Wolverine's tables (inbox, outbox, dead letters, nodes) are made or brought up to
            // date before it starts, as Marten's are.
            opts.AutoBuildMessageStorageOnStartup = JasperFx.AutoCreate.CreateOrUpdate;
            // Off means the schedule is never polled, not even once: the agent's poll releases what
            // is due by the machine's clock, and a test's clock (behind it) would see its held-back
            // messages go early. The agent itself stays on, because it is also what creates
            // Wolverine's tables and recovers messages of a crashed node.
            var poll = scheduler.Enabled ? scheduler.PollInterval : TimeSpan.FromDays(30);
            opts.Durability.ScheduledJobPollingTime = poll;
            opts.Durability.ScheduledJobFirstExecution = scheduler.Enabled
                ? TimeSpan.FromTicks(Math.Min(poll.Ticks, TimeSpan.FromSeconds(1).Ticks))
                : poll;
            // The polls of the node table are background work, not requests: no trace each.
            opts.Durability.NodeAssignmentHealthCheckTracingEnabled = false;
            opts.UseSystemTextJsonForSerialization(StoreSetup.Configure);
            opts.Policies.UseDurableLocalQueues();
            opts.Policies.AutoApplyTransactions();
            opts.Policies.Add(new RetriesByMessage(checks, rules));
            opts.Policies.Add(new InlineCommands(rules));
            // Each feature includes its own handlers (MessagingRegistrations.AddMessageHandlers).
            opts.Discovery.DisableConventionalDiscovery();

            // Handler code is generated ahead of time (ops/codegen) and checked in under
            // Internal/Generated: no compiler at start-up, and a handler missing from it stops the
            // start. A stale file fails a test. Messaging:Codegen=Dynamic compiles at run time
            // instead (WolverineFx.RuntimeCompilation), as ops/codegen does.
            opts.CodeGeneration.TypeLoadMode = configuration.GetValue("Messaging:Codegen", TypeLoadMode.Static);
            opts.CodeGeneration.SourceCodeWritingEnabled = false;
        });
        return builder;
    }

    /// <summary>Retry schedules as data, per kind of message; a message out of attempts goes to the dead letters.</summary>
    private sealed class RetriesByMessage(RetryPolicy byDefault, MessageRules rules) : IHandlerPolicy
    {
        public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules generation, JasperFx.IServiceContainer container)
        {
            // Commands invoked inline by requests retry as InlineCommands says.
            foreach (var chain in chains.Where(c => !rules.Inline.ContainsKey(c.MessageType)))
            {
                var policy = rules.Retries.GetValueOrDefault(chain.MessageType, byDefault);
                chain.Failures.MaximumAttempts = policy.MaxAttempts;
                var delays = policy.Delays();
                if (delays.Length == 0)
                    chain.OnAnyException().MoveToErrorQueue();
                else
                    chain.OnAnyException().ScheduleRetry(delays).Then.MoveToErrorQueue();
            }
        }
    }
}
