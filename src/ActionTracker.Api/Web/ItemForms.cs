using ActionTracker.Api.ActionItems;
using ActionTracker.Api.ActionItems.ChangeStatus;
using ActionTracker.Api.ActionItems.Comment;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActionTracker.Api.Web;

/// <summary>
/// The item page's forms: the same commands as the API (<see cref="ItemCommandBus"/>), with
/// the version the page was rendered at as If-Match, so a status form from a stale page changes
/// nothing and says so. A comment takes no version: it adds to the item and conflicts with no
/// other change. Success returns to the item's page with a notice key; a refusal shows the page
/// again in place, with the reason and with what was typed still in its form.
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
        Run(id, http, version, new(status ?? "", new Dictionary<string, string?> { ["reason"] = reason, ["resolution"] = resolution }), async request =>
        {
            if (!Wire.TryParseStatus(status, out var wanted))
                throw new InvalidCommand(new Dictionary<string, string[]> { ["status"] = ["Choose a status."] });
            await commands.Send<ActionItemResponse>(new ChangeItemStatus(id, new(wanted, Blank(reason), Blank(resolution)), request), ct);
            return PageNotices.StatusChanged;
        });

    private static Task<IResult> Comment(Guid id, [FromForm] string? text, HttpContext http,
        ItemCommandBus commands, TimeProvider time, CancellationToken ct) =>
        Run(id, http, version: null, new(FormRefusal.CommentForm, new Dictionary<string, string?> { ["text"] = text }), async request =>
        {
            await commands.Send<CommentResponse>(new CommentOnItem(id, new(Guid.CreateVersion7(time.GetUtcNow()), text ?? ""), request), ct);
            return PageNotices.CommentAdded;
        });

    /// <summary>A form's name and its text fields as sent, to hand back if it is refused.</summary>
    private sealed record Sent(string Form, IReadOnlyDictionary<string, string?> Typed);

    /// <param name="act">Runs the command; returns the <see cref="PageNotices"/> key of its notice.</param>
    private static async Task<IResult> Run(Guid id, HttpContext http, long? version, Sent sent, Func<CommandRequest, Task<string>> act)
    {
        WebPages.RequireFormToken(http);
        var caller = http.User.ToCaller();
        var request = new CommandRequest(caller, version, null, "", CommandRequest.MetadataOf(http, caller));
        (int Status, string Message, bool Stale) refused;
        try
        {
            return TypedResults.Redirect($"/items/{id}?done={Uri.EscapeDataString(await act(request))}");
        }
        catch (VersionMismatch)
        {
            refused = (StatusCodes.Status409Conflict, "", true);
        }
        catch (InvalidCommand e)
        {
            refused = (StatusCodes.Status400BadRequest, string.Join(" ", e.Errors.SelectMany(f => f.Value)), false);
        }
        catch (NotPermitted e)
        {
            refused = (StatusCodes.Status403Forbidden, e.Message, false);
        }
        catch (DomainException e)
        {
            refused = (StatusCodes.Status409Conflict, e.Message, false);
        }
        // The page again, as it is now, in this response: a redirect would lose what was typed.
        // The message is the service's own words, never read from the address (PageNotices).
        return new RazorComponentResult<Components.App>(
            new { Refused = new FormRefusal(id, sent.Form, refused.Message, refused.Stale, sent.Typed) })
        {
            StatusCode = refused.Status,
        };
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
