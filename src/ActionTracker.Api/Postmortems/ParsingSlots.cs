using System.Threading.RateLimiting;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain;

namespace ActionTracker.Api.Postmortems;

/// <summary>
/// How many postmortem previews and imports (API and page alike) one caller runs at once
/// (configuration <c>Limits:ParsesPerCaller</c>, 2 by default). Reading a 1 MiB document is a
/// core's work for a moment; without a bound one caller's many uploads would take every core
/// and starve the rest of the service (health probes included). A caller over its share gets a
/// 429 at once, before its body is read, rather than a place in a queue.
/// </summary>
public sealed class ParsingSlots : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ParsingSlots(IConfiguration configuration)
    {
        PerCaller = configuration.GetValue("Limits:ParsesPerCaller", 2);
        _limiter = PartitionedRateLimiter.Create<string, string>(caller => RateLimitPartition.GetConcurrencyLimiter(caller,
            _ => new ConcurrencyLimiterOptions { PermitLimit = PerCaller, QueueLimit = 0 }));
    }

    public int PerCaller { get; }

    /// <summary>A slot for one preview or import by the caller, held until disposed; a 429 (<see cref="TooBusy"/>) when none is free.</summary>
    public IDisposable Take(Caller caller)
    {
        var lease = _limiter.AttemptAcquire(caller.Id);
        if (lease.IsAcquired)
            return lease;
        lease.Dispose();
        throw new TooBusy($"At most {PerCaller} postmortem previews or imports of one caller run at once: retry when one has finished.");
    }

    public void Dispose() => _limiter.Dispose();
}
