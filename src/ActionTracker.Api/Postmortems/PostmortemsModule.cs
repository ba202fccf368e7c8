using ActionTracker.Api.Postmortems.Import;
using ActionTracker.Api.Postmortems.Read;
using ActionTracker.EventStore;

namespace ActionTracker.Api.Postmortems;

public static class PostmortemsModule
{
    public static IServiceCollection AddPostmortems(this IServiceCollection services)
    {
        services.AddMigrations<PostmortemsSchema>();
        services.AddSingleton<PostmortemStore>();
        services.AddSingleton<PostmortemImporter>();
        return services;
    }

    public static IEndpointRouteBuilder MapPostmortems(this IEndpointRouteBuilder app)
    {
        var postmortems = app.MapGroup("/api/postmortems")
            .WithTags("Postmortems")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        postmortems.MapImportPostmortem()
            .MapReadPostmortems();
        return app;
    }
}
