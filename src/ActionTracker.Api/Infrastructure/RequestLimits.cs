using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Caps request bodies (configuration <c>Limits:MaxBodyBytes</c>, 64 KiB by default): an action
/// item is small, and a huge body should cost nothing but a 413. A route that takes documents
/// says so with <see cref="WithRequestBodyLimit{TBuilder}"/>, and only that route gets more.
/// </summary>
public static class RequestLimits
{
    public const long DefaultMaxBodyBytes = 64 * 1024;

    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        var globalMax = app.Configuration.GetValue("Limits:MaxBodyBytes", DefaultMaxBodyBytes);
        app.Use(async (http, next) =>
        {
            // Routing has already picked the endpoint (WebApplication routes first), so its own
            // limit, if it declares one, is known before the body is touched.
            // (Ours, or ASP.NET Core's [RequestSizeLimit] on a page: both are IRequestSizeLimitMetadata.)
            var max = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? globalMax;
            if (http.Request.ContentLength > max)
                throw new BadHttpRequestException($"The request body exceeds {max} bytes.", StatusCodes.Status413PayloadTooLarge);
            // Bodies without a declared length are cut off by the server while they are read.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = max;
            await next(http);
        });
        return app;
    }

    /// <summary>Gives the endpoint its own body limit instead of the global one.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long maxBytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(maxBytes));
}

/// <summary>
/// Endpoint metadata: the largest body this endpoint accepts. It is also the framework's
/// <see cref="IRequestSizeLimitMetadata"/>, so the server's own limit agrees with ours.
/// </summary>
public sealed record RequestBodyLimit(long MaxBytes) : IRequestSizeLimitMetadata
{
    long? IRequestSizeLimitMetadata.MaxRequestBodySize => MaxBytes;
}
