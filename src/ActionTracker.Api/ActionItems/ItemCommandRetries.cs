using JasperFx.CodeGeneration;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;
using ConcurrencyException = JasperFx.ConcurrencyException;

namespace ActionTracker.Api.ActionItems;

/// <summary>
/// How an item command is retried: only a lost race for the item's stream (a concurrency failure
/// at commit), at once, within the same request, and at most twice, the second attempt already
/// holding the stream's lock. Anything else goes back to the caller as it is: a command is
/// invoked inline, so there is no queue to retry it from later.
/// </summary>
public sealed class ItemCommandRetries : Wolverine.Configuration.IHandlerPolicy
{
    public const int MaxAttempts = 3;

    public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, JasperFx.IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.MessageType == typeof(RunItemCommand)))
            chain.OnException<ConcurrencyException>().RetryTimes(MaxAttempts - 1);
    }
}
