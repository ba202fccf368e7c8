using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Messaging;

namespace ActionTracker.Api.Notifications;

public static class NotificationsModule
{
    /// <summary>Posts of the ladder's steps to each team's notify URL: durable messages, retried, then dead-lettered.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpClient(SendTeamNotificationHandler.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<AddressGuard>().CreateHandler());
        services.AddSingleton<TeamNotifier>();
        services.AddMessageHandlers(typeof(SendTeamNotificationHandler));
        var retries = new RetryPolicy { MaxAttempts = 10, FirstBackoff = TimeSpan.FromSeconds(5) };
        configuration.GetSection("Notifications").Bind(retries);
        services.AddMessageRetries<SendTeamNotification>(retries);
        return services;
    }
}
