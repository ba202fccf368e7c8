using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ActionTracker.Api.Web;

/// <summary>
/// The item page's forms: the same commands as the API (<see cref="ActionItemCommands"/>), with
/// the version the page was rendered at as If-Match, so a status form from a stale page changes
/// nothing and says so. A comment takes no version: it adds to the item and conflicts with no
/// other change. Success returns to the item's page with a message; a refusal shows the page
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
        [FromForm] long version, HttpContext http, ActionItemCommands commands, CancellationToken ct) =>
        Run(id, http, version, new(status ?? "", new Dictionary<string, string?> { ["reason"] = reason, ["resolution"] = resolution }), async request =>
        {
            if (!Wire.TryParseStatus(status, out var wanted))
                throw new InvalidCommand(new Dictionary<string, string[]> { ["status"] = ["Choose a status."] });
            await commands.Execute(id, new ChangeStatus(wanted, Blank(reason), Blank(resolution)), request, StatusCodes.Status200OK, ActionItemResponse.From, ct);
            return $"Now {ItemActions.Describe(wanted)}.";
        });

    private static Task<IResult> Comment(Guid id, [FromForm] string? text, HttpContext http,
        ActionItemCommands commands, TimeProvider time, CancellationToken ct) =>
        Run(id, http, version: null, new(FormRefusal.CommentForm, new Dictionary<string, string?> { ["text"] = text }), async request =>
        {
            await commands.Execute(id, new AddComment(Guid.CreateVersion7(time.GetUtcNow()), text ?? ""), request, StatusCodes.Status201Created,
                ActionItemResponse.From, ct);
            return "Comment added.";
        });

    /// <summary>A form's name and its text fields as sent, to hand back if it is refused.</summary>
    private sealed record Sent(string Form, IReadOnlyDictionary<string, string?> Typed);

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
        // The page again, as it is now, from this response: a redirect would lose what was typed.
        return new Microsoft.AspNetCore.Http.HttpResults.RazorComponentResult<Components.App>(
            new { Refused = new FormRefusal(id, sent.Form, refused.Message, refused.Stale, sent.Typed) })
        {
            StatusCode = refused.Status,
        };
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
