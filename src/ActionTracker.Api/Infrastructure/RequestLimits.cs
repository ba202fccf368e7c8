using Microsoft.AspNetCore.Http.Features;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// Caps request bodies (configuration <c>Limits:MaxBodyBytes</c>, 64 KiB by default): an action
/// item is small, and a huge body should cost nothing but a 413.
/// </summary>
public static class RequestLimits
{
    public const long DefaultMaxBodyBytes = 64 * 1024;

    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        var max = app.Configuration.GetValue("Limits:MaxBodyBytes", DefaultMaxBodyBytes);
        app.Use(async (http, next) =>
        {
            if (http.Request.ContentLength > max)
                throw new BadHttpRequestException($"The request body exceeds {max} bytes.", StatusCodes.Status413PayloadTooLarge);
            // Bodies without a declared length are cut off by the server while they are read.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = max;
            await next(http);
        });
        return app;
    }
}
