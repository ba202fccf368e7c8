using ActionTracker.Api.Infrastructure.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine.RDBMS;
using Wolverine.Runtime;

namespace ActionTracker.Api.Tests;

/// <summary>
/// Wolverine's scheduled-message release, played on the test's clock. Test hosts run without the
/// durability agent, whose poll reads the machine's clock; this does what one poll of it does
/// (claim the due scheduled envelopes for this node and hand them to their queues), with the
/// service's clock deciding what is due, then waits until the queues have handled them and
/// whatever they cascaded. Wolverine's own retries are scheduled on the machine's clock, so a
/// retry whose backoff has passed is due too.
/// </summary>
public static class PlayingScheduledMessages
{
    public static async Task RunDue(this IServiceProvider host)
    {
        var runtime = host.GetRequiredService<IWolverineRuntime>();
        var tables = host.GetRequiredService<MessageStoreTables>();
        var db = host.GetRequiredService<NpgsqlDataSource>();
        var now = host.GetRequiredService<TimeProvider>().GetUtcNow();
        var envelopes = new List<Wolverine.Envelope>();
        await using (var claim = db.CreateCommand(
            $"""
             update {tables.Incoming} set owner_id = $1, status = 'Incoming'
              where id in (select id from {tables.Incoming}
                            where status = 'Scheduled' and (execution_time <= $2 or (attempts > 0 and execution_time <= now()))
                              for update skip locked)
             returning {DatabaseConstants.IncomingFields}
             """))
        {
            claim.Parameters.Add(new() { Value = runtime.DurabilitySettings.AssignedNodeNumber });
            claim.Parameters.Add(new() { Value = now });
            await using var reader = await claim.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                envelopes.Add(await DatabasePersistence.ReadIncomingAsync(reader));
        }
        if (envelopes.Count > 0)
        {
            DatabasePersistence.MarkPromotedFromScheduled(envelopes, runtime.Storage, runtime.DurabilitySettings.AssignedNodeNumber);
            await runtime.EnqueueDirectlyAsync(envelopes);
        }
        await Settled(db, tables);
    }

    /// <summary>Waits (bounded) until no message is waiting in or being handled from a local queue.</summary>
    public static async Task Settled(NpgsqlDataSource db, MessageStoreTables tables)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await using var busy = db.CreateCommand($"select exists (select 1 from {tables.Incoming} where status = 'Incoming')");
            if (await busy.ExecuteScalarAsync(timeout.Token) is false)
                return;
            await Task.Delay(20, timeout.Token);
        }
    }
}
