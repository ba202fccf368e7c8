using ActionTracker.Api.Infrastructure.Schema;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Postmortems.Import;
using ActionTracker.Api.Postmortems.Preview;
using ActionTracker.Api.Postmortems.Read;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Infrastructure.Messaging;

namespace ActionTracker.Api.Postmortems;

public static class PostmortemsModule
{
    public static IServiceCollection AddPostmortems(this IServiceCollection services)
    {
        services.AddMigrations<PostmortemsSchema>();
        services.AddSingleton<PostmortemStore>();
        services.AddSingleton<PostmortemImporter>();
        services.AddSingleton<ParsingSlots>();
        services.AddMessageHandlers(typeof(ImportPostmortemHandler));
        // A concurrent import of the same postmortem started one of these items; the retry skips it.
        services.AddInlineCommand(typeof(ImportPostmortem), lostRace: typeof(Marten.Exceptions.ExistingStreamIdCollisionException));
        return services;
    }

    public static IEndpointRouteBuilder MapPostmortems(this IEndpointRouteBuilder app)
    {
        var postmortems = app.MapGroup("/api/postmortems")
            .WithTags("Postmortems")
            .RequireAuthorization()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        postmortems.MapImportPostmortem()
            .MapPreviewPostmortem()
            .MapReadPostmortems();
        return app;
    }
}
