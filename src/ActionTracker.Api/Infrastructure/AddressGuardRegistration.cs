namespace ActionTracker.Api.Infrastructure;

public static class AddressGuardRegistration
{
    /// <summary>The one guard every outgoing HTTP client of the service connects through (webhooks, team notifications).</summary>
    public static IServiceCollection AddAddressGuard(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(sp => new AddressGuard(configuration.GetValue("Webhooks:AllowPrivateNetworks", false),
            AllowedPorts(configuration, sp.GetRequiredService<IHostEnvironment>())));

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
