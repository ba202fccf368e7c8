using JasperFx.CodeGeneration;
using Wolverine.Configuration;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace ActionTracker.Api.Infrastructure.Messaging;

/// <summary>
/// How the commands a request hands to Wolverine and waits for (<c>IMessageBus.InvokeAsync</c>,
/// declared with <see cref="MessagingRegistrations.AddInlineCommand"/>) are retried: only after
/// losing a race to a concurrent writer, at once, within the same request, at most twice.
/// Anything else goes back to the caller as it is: an inline command has no queue to be retried
/// from later.
/// </summary>
public sealed class InlineCommands(MessageRules rules) : IHandlerPolicy
{
    public const int MaxAttempts = 3;

    public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules generation, JasperFx.IServiceContainer container)
    {
        foreach (var chain in chains)
            if (rules.Inline.TryGetValue(chain.MessageType, out var race) && race is not null)
                chain.OnException(e => race.IsInstanceOfType(e)).RetryTimes(MaxAttempts - 1);
    }
}
