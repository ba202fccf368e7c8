using Wolverine;

namespace ActionTracker.Api.Infrastructure.Messaging;

/// <summary>
/// What features tell the messaging setup about their messages, gathered while services are
/// registered and read when Wolverine compiles its handler chains (after every feature has
/// registered): so the setup names no feature, and a feature's messages are declared in its folder.
/// </summary>
public sealed class MessageRules
{
    /// <summary>Retry schedules that replace the default one (<c>Scheduler</c>) for a message type.</summary>
    public Dictionary<Type, RetryPolicy> Retries { get; } = [];

    /// <summary>Commands requests invoke inline, each with the exception its lost race fails with (null: none to retry).</summary>
    public Dictionary<Type, Type?> Inline { get; } = [];
}

public static class MessagingRegistrations
{
    /// <summary>A feature's Wolverine handlers (nothing is found by convention).</summary>
    public static IServiceCollection AddMessageHandlers(this IServiceCollection services, params Type[] handlers) =>
        services.ConfigureWolverine(opts =>
        {
            foreach (var handler in handlers)
                opts.Discovery.IncludeType(handler);
        });

    /// <summary>Messages of <typeparamref name="TMessage"/> retry on <paramref name="policy"/>, then go to the dead letters.</summary>
    public static IServiceCollection AddMessageRetries<TMessage>(this IServiceCollection services, RetryPolicy policy)
    {
        Rules(services).Retries[typeof(TMessage)] = policy;
        return services;
    }

    /// <summary>
    /// A command a request invokes and waits for: retried only after losing a race (at once, in
    /// the same request, <see cref="InlineCommands.MaxAttempts"/> in all), and never logged by
    /// Wolverine as a failure, because the request answers it and ProblemMapping logs what matters.
    /// </summary>
    public static IServiceCollection AddInlineCommand(this IServiceCollection services, Type message, Type? lostRace = null)
    {
        Rules(services).Inline[message] = lostRace;
        // Wolverine logs every exception out of an inline invocation as an error, under the message's type.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter(message.FullName, LogLevel.Critical));
        return services;
    }

    private static MessageRules Rules(IServiceCollection services) =>
        services.FirstOrDefault(d => d.ServiceType == typeof(MessageRules))?.ImplementationInstance as MessageRules
        ?? throw new InvalidOperationException("Register messaging (AddMessaging) before the features that declare messages.");
}
