using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems.Reminders;

public static class RemindersModule
{
    /// <summary>Reminders and escalations, from configuration (API.md, Configuration).</summary>
    public static IServiceCollection AddDeadlines(this IServiceCollection services, IConfiguration configuration)
    {
        var defaults = EscalationPolicy.Default;
        services.AddSingleton(new EscalationPolicy(
            configuration.GetValue("Policies:RemindBefore", defaults.RemindBefore),
            configuration.GetValue("Policies:EscalateAfter:Level2", defaults.Level2After),
            configuration.GetValue("Policies:EscalateAfter:Level3", defaults.Level3After))
        {
            QuietPeriod = configuration.GetValue("Policies:QuietPeriod", defaults.QuietPeriod),
        });
        services.AddMessageHandlers(typeof(CheckItemDeadlinesHandler));
        return services;
    }
}
