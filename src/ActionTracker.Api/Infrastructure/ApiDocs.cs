using Scalar.AspNetCore;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ActionTracker.Api.Infrastructure;

public static class ApiDocs
{
    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ActionTracker",
                    Version = "v1",
                    Description = "Action items from incident postmortems: owned, dated, escalated, never forgotten.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                };
                document.Paths ??= new OpenApiPaths();
                document.Paths["/health/live"] = Health("The process answers (no dependencies checked).");
                document.Paths["/health/ready"] = Health("The database answers and its schema is this build's; 503 otherwise, and while stopping.");
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                // The route as documented: "{id:guid}" is "{id}".
                var path = "/" + System.Text.RegularExpressions.Regex.Replace((context.Description.RelativePath ?? "").Split('?')[0], @"\{(\w+):[^}]+\}", "{$1}");
                if (!path.StartsWith("/api/", StringComparison.Ordinal))
                    return Task.CompletedTask;
                var method = context.Description.HttpMethod ?? "GET";
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] }];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", Problem("No valid bearer token."));
                operation.Responses.TryAdd("429", Problem("Over the caller's rate limit; see Retry-After."));
                operation.Parameters ??= [];
                if (path.StartsWith("/api/action-items", StringComparison.Ordinal) && method == "POST")
                {
                    operation.Parameters.Add(Header("Idempotency-Key", "Makes a retry safe: the same key and request get the first response back (kept 24 h)."));
                    if (path.Contains("{id}", StringComparison.Ordinal))
                        operation.Parameters.Add(Header("If-Match", "The item's ETag as read (\"3\"); a stale one is 412 and changes nothing."));
                }
                if (path == "/api/events/stream")
                    operation.Parameters.Add(Header("Last-Event-ID", "The position of the last event received: the stream resumes after it."));
                // The item's reads and writes send its version (not the list or its history).
                var sendsETag = path == "/api/action-items/{id}" || (method == "POST" && path.StartsWith("/api/action-items", StringComparison.Ordinal));
                foreach (var status in new[] { "200", "201" })
                    if (sendsETag && operation.Responses.TryGetValue(status, out var success) && success is OpenApiResponse withETag)
                    {
                        withETag.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        withETag.Headers["ETag"] = new OpenApiHeader { Description = "The item's version, for If-Match.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                    }
                if (operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse withLocation)
                {
                    withLocation.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    withLocation.Headers["Location"] = new OpenApiHeader { Description = "Where the created resource is read.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                }
                return Task.CompletedTask;
            });
        });

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiResponse Problem(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
    };

    private static OpenApiPathItem Health(string description) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                Summary = description,
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse { Description = "Healthy (text/plain)." },
                    ["503"] = new OpenApiResponse { Description = "Unhealthy (text/plain)." },
                },
            },
        },
    };

    /// <summary>Where the interactive API reference is served (Scalar, on the OpenAPI document).</summary>
    public const string ReferencePath = "/docs";

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(ReferencePath, options => options.WithTitle("ActionTracker API"));
        return app;
    }
}
