using ActionTracker.Api.ActionItems.Edit;
using ActionTracker.Api.ActionItems.Comments;
using ActionTracker.Api.Infrastructure.Schema;
using ActionTracker.Api.ActionItems.Assign;
using ActionTracker.Api.ActionItems.ChangeDueDate;
using ActionTracker.Api.ActionItems.ChangeStatus;
using ActionTracker.Api.ActionItems.Comment;
using ActionTracker.Api.ActionItems.Create;
using ActionTracker.Api.ActionItems.Get;
using ActionTracker.Api.ActionItems.History;
using ActionTracker.Api.ActionItems.List;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;
using Marten;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Infrastructure.Messaging;
using Wolverine;

namespace ActionTracker.Api.ActionItems;

public static class ActionItemsModule
{
    public static IServiceCollection AddActionItems(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ActionItemRows>();
        services.AddSingleton<List.ItemQuery>();
        services.AddSingleton<Create.ItemIds>();
        services.AddSingleton<ItemStreams>();
        services.AddMigrations<ActionTrackerSchema>();
        services.AddMigrations<ActionItemsSchema>();
        services.AddSingleton<IdempotencyKeys>();
        var idempotency = new IdempotencyOptions();
        configuration.GetSection("Idempotency").Bind(idempotency);
        services.AddSingleton(idempotency);
        services.AddSingleton<IdempotencyCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<IdempotencyCleanup>());
        services.AddSingleton<DecisionContexts>();
        services.AddSingleton<ItemWrites>();
        services.AddSingleton<ItemCommandBus>();
        services.AddItemStore();
        services.AddMessageHandlers(
            typeof(Create.CreateItemHandler), typeof(ChangeStatus.ChangeItemStatusHandler), typeof(Assign.AssignItemHandler),
            typeof(ChangeDueDate.RedateItemHandler), typeof(Comment.CommentOnItemHandler), typeof(Edit.EditItemHandler));
        services.ConfigureWolverine(opts => opts.Policies.ForMessagesOfType<IItemCommand>().AddMiddleware(typeof(ItemCommandMiddleware)));
        // Item commands lose no race (their streams are fetched under the row lock): nothing to retry.
        foreach (var command in typeof(IItemRequest).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(typeof(IItemRequest))))
            services.AddInlineCommand(command);
        return services;
    }

    public static IEndpointRouteBuilder MapActionItems(this IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/api/action-items")
            .WithTags("Action items")
            .RequireAuthorization()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        items.MapCreateActionItem()
            .MapGetActionItem()
            .MapListActionItems()
            .MapChangeStatus()
            .MapAssignActionItem()
            .MapChangeDueDate()
            .MapAddComment()
            .MapGetHistory()
            .MapComments()
            .MapEditActionItem();
        return app;
    }
}
