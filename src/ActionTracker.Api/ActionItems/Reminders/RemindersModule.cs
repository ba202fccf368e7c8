using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Notifications;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems.Reminders;

public static class RemindersModule
{
    /// <summary>Reminders, escalations and team notifications, from configuration (API.md, Configuration).</summary>
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

        var guard = new AddressGuard(configuration.GetValue("Webhooks:AllowPrivateNetworks", false));
        services.AddSingleton(guard);
        services.AddHttpClient(SendTeamNotificationHandler.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(guard.CreateHandler);
        services.AddSingleton<TeamNotifier>();
        return services;
    }
}
