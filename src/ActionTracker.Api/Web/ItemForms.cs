using ActionTracker.Api.ActionItems;
using ActionTracker.Api.ActionItems.ChangeStatus;
using ActionTracker.Api.ActionItems.Comment;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ActionTracker.Api.Web;

/// <summary>
/// The item page's forms: the same commands as the API (<see cref="ItemCommandBus"/>), with
/// the version the page was rendered at as If-Match, so a form from a stale page changes nothing
/// and says so. Every outcome returns to the item's page with a message.
/// </summary>
public static class ItemForms
{
    public static WebApplication MapItemForms(this WebApplication app)
    {
        var forms = app.MapGroup("/items/{id:guid}")
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = WebPages.Scheme })
            .ExcludeFromDescription();
        forms.MapPost("/status", ChangeStatus);
        forms.MapPost("/comments", Comment);
        return app;
    }

    private static Task<IResult> ChangeStatus(Guid id, [FromForm] string? status, [FromForm] string? reason, [FromForm] string? resolution,
        [FromForm] long version, HttpContext http, ItemCommandBus commands, CancellationToken ct) =>
        Run(id, http, version, async request =>
        {
            if (!Wire.TryParseStatus(status, out var wanted))
                throw new InvalidCommand(new Dictionary<string, string[]> { ["status"] = ["Choose a status."] });
            await commands.Send<ActionItemResponse>(new ChangeItemStatus(id, new(wanted, Blank(reason), Blank(resolution)), request), ct);
            return PageNotices.StatusChanged;
        });

    private static Task<IResult> Comment(Guid id, [FromForm] string? text, [FromForm] long version, HttpContext http,
        ItemCommandBus commands, TimeProvider time, CancellationToken ct) =>
        Run(id, http, version, async request =>
        {
            await commands.Send<CommentResponse>(new CommentOnItem(id, new(Guid.CreateVersion7(time.GetUtcNow()), text ?? ""), request), ct);
            return PageNotices.CommentAdded;
        });

    /// <param name="act">Runs the command; returns the <see cref="PageNotices"/> key of its notice.</param>
    private static async Task<IResult> Run(Guid id, HttpContext http, long version, Func<CommandRequest, Task<string>> act)
    {
        WebPages.RequireFormToken(http);
        var caller = http.User.ToCaller();
        var request = new CommandRequest(caller, version, null, "", CommandRequest.MetadataOf(http, caller));
        string query;
        try
        {
            query = "done=" + Uri.EscapeDataString(await act(request));
        }
        catch (VersionMismatch)
        {
            query = "stale=yes";
        }
        catch (DomainException e)
        {
            // A key, not the message: the page words it (PageNotices).
            query = "error=" + PageNotices.ErrorKey(e);
        }
        return TypedResults.Redirect($"/items/{id}?{query}");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
