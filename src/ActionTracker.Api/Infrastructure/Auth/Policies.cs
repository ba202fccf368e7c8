namespace ActionTracker.Api.Infrastructure.Auth;

/// <summary>Authorization policies by role; ownership of single items stays with the domain's rules.</summary>
public static class Policies
{
    public const string Admin = "admin";

    public const string AdminOrService = "admin-or-service";
}
