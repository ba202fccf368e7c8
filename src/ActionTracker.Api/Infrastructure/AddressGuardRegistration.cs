namespace ActionTracker.Api.Infrastructure;

public static class AddressGuardRegistration
{
    /// <summary>The one guard every outgoing HTTP client of the service connects through (webhooks, team notifications).</summary>
    public static IServiceCollection AddAddressGuard(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(new AddressGuard(configuration.GetValue("Webhooks:AllowPrivateNetworks", false)));
}
