using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems.Reminders;

public static class RemindersModule
{
    /// <summary>Reminders and escalations, from configuration (API.md, Configuration).</summary>
    public static IServiceCollection AddDeadlines(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMessageHandlers(typeof(CheckItemDeadlinesHandler));
        return services;
    }
}
