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

        services.AddSingleton(sp => new AddressGuard(configuration.GetValue("Webhooks:AllowPrivateNetworks", false),
            AllowedPorts(configuration, sp.GetRequiredService<IHostEnvironment>())));
        services.AddHttpClient(SendTeamNotificationHandler.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<AddressGuard>().CreateHandler());
        services.AddSingleton<TeamNotifier>();
        return services;
    }

    /// <summary>
    /// <c>Webhooks:AllowedPorts</c> (e.g. <c>80,443,8443</c>) when given; else 80 and 443 in
    /// Production, where a user's URL must not reach whatever else listens, and any port elsewhere.
    /// </summary>
    private static IReadOnlySet<int>? AllowedPorts(IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration["Webhooks:AllowedPorts"] is { Length: > 0 } text)
        {
            var ports = new HashSet<int>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                ports.Add(int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                    ? port
                    : throw new InvalidOperationException($"Webhooks:AllowedPorts is a comma-separated list of ports, not '{text}'."));
            return ports;
        }
        return environment.IsProduction() ? AddressGuard.WebPorts : null;
    }
}
