using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using ActionTracker.Domain;

namespace ActionTracker.Api.Infrastructure.Auth;

/// <summary>A caller refused by a role policy gets a 403 problem that names the roles allowed.</summary>
public sealed class ForbiddenAsProblem : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Forbidden && result.AuthorizationFailure?.FailedRequirements.OfType<RolesAuthorizationRequirement>().FirstOrDefault() is { } roles)
            throw new NotPermitted($"Only {string.Join(" and ", roles.AllowedRoles.Select(r => r + "s"))} may do this.");
        return _default.HandleAsync(next, context, policy, result);
    }
}
