using System.Security.Claims;
using ActionTracker.Domain;

namespace ActionTracker.Api.Infrastructure.Auth;

public static class CallerExtensions
{
    /// <summary>The domain's view of the authenticated principal.</summary>
    public static Caller ToCaller(this ClaimsPrincipal user) => Caller.Create(
        user.FindFirstValue("sub") ?? throw new InvalidOperationException("Authenticated principal without sub."),
        user.FindAll("team").Select(c => c.Value),
        user.FindAll("role").Select(c => c.Value));
}
