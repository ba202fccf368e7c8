using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Postmortems;
using JasperFx.CodeGeneration;
using Marten.Exceptions;
using Wolverine.Configuration;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace ActionTracker.Api.Infrastructure.Messaging;

/// <summary>
/// The commands a request hands to Wolverine and waits for (<c>IMessageBus.InvokeAsync</c>), and
/// how each is retried: only after losing a race to a concurrent writer, at once, within the same
/// request, at most twice. Anything else goes back to the caller as it is: an inline command has
/// no queue to be retried from later. Item commands lose no race: their streams are fetched under
/// the row lock (<see cref="IItemCommand"/>), so a concurrent writer waits instead.
/// </summary>
public sealed class InlineCommands : IHandlerPolicy
{
    public const int MaxAttempts = 3;

    /// <summary>The lost race of each command: the exception its commit fails with when another writer got there first.</summary>
    private static readonly Dictionary<Type, Type> LostRace = new()
    {
        // A concurrent import of the same postmortem started one of these items; the retry skips it.
        [typeof(ImportPostmortem)] = typeof(ExistingStreamIdCollisionException),
    };

    /// <summary>Every command invoked inline: the item commands and those with a race to retry.</summary>
    public static IEnumerable<Type> MessageTypes => LostRace.Keys.Concat(typeof(IItemRequest).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IItemRequest).IsAssignableFrom(t)));

    public static bool Includes(Type messageType) => LostRace.ContainsKey(messageType) || typeof(IItemRequest).IsAssignableFrom(messageType);

    public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, JasperFx.IServiceContainer container)
    {
        foreach (var chain in chains)
            if (LostRace.TryGetValue(chain.MessageType, out var race))
                chain.OnException(e => race.IsInstanceOfType(e)).RetryTimes(MaxAttempts - 1);
    }
}
