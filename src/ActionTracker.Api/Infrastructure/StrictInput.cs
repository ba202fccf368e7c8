using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Input the service does not understand is refused, not ignored (API.md, strict input): a query
/// parameter the operation does not take (<c>?teem=platform</c> must not list every item) is a
/// 400 naming it. Unknown JSON fields are refused by the serializer
/// (<see cref="System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow"/>) and named by
/// <see cref="ProblemMapping"/>.
/// </summary>
public static class StrictInput
{
    private static readonly ConcurrentDictionary<Endpoint, HashSet<string>?> Known = new();

    public static IServiceCollection AddStrictInput(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow);

    public static WebApplication UseStrictQuery(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Query.Count > 0 && http.Request.Path.StartsWithSegments("/api") && http.GetEndpoint() is { } endpoint
                && Known.GetOrAdd(endpoint, Names) is { } known)
            {
                var unknown = http.Request.Query.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
                if (unknown.Count > 0)
                {
                    var takes = known.Count == 0 ? "no query parameters" : string.Join(", ", known.Order(StringComparer.Ordinal));
                    throw new InvalidRequest(
                        unknown.ToDictionary(k => k, _ => new[] { $"Unknown query parameter; this operation takes: {takes}." }),
                        $"Unknown query parameter{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown)}.");
                }
            }
            await next(http);
        });
        return app;
    }

    /// <summary>The query names the endpoint's handler binds; null when it does not say (then nothing is checked).</summary>
    private static HashSet<string>? Names(Endpoint endpoint)
    {
        var parameters = endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>();
        if (parameters.Count == 0 && endpoint.Metadata.GetMetadata<MethodInfo>() is null)
            return null;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in parameters)
        {
            if (p.ParameterInfo.GetCustomAttribute<FromQueryAttribute>() is { Name: { } name })
                names.Add(name);
            else if (p.ParameterInfo.GetCustomAttribute<FromHeaderAttribute>() is null && p.ParameterInfo.GetCustomAttribute<FromBodyAttribute>() is null)
                names.Add(p.Name);
        }
        return names;
    }
}
