using System.Text.Json;
using ActionTracker.Domain;
using ActionTracker.Api.Infrastructure.Store;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// The one place where failures become problem details (RFC 9457). Handlers throw; nothing else
/// chooses a status code for an error. Unknown exceptions become a 500 with no internals.
/// </summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var problem = exception switch
        {
            InvalidCommand e => Validation(e.Errors, e.Message),
            InvalidRequest e => Validation(e.Errors, e.Message),
            NotPermitted e => Problem(StatusCodes.Status403Forbidden, "Not allowed", e.Message),
            InvalidState e => Problem(StatusCodes.Status409Conflict, "Not possible in the item's current state", e.Message),
            ResourceNotFound e => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
            VersionMismatch e => Problem(StatusCodes.Status412PreconditionFailed, "Version mismatch", e.Message),
            IdempotencyKeyReused e => Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused", e.Message),
            UnsupportedContentType e => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", e.Message),
            TooBusy e => Problem(StatusCodes.Status429TooManyRequests, "Too many requests", e.Message),
            LimitReached e => Problem(StatusCodes.Status409Conflict, "Limit reached", e.Message),
            JasperFx.ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException
                => Problem(StatusCodes.Status409Conflict, "Concurrent update",
                "The item kept changing while this request was applied. Retry it."),
            BadHttpRequestException e => BadRequest(e),
            // Text the database cannot hold (U+0000 in a body or query value the domain does
            // not check itself): the statement failed, so the transaction changed nothing.
            Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UntranslatableCharacter or Npgsql.PostgresErrorCodes.CharacterNotInRepertoire }
                => Validation(new Dictionary<string, string[]> { ["body"] = ["Text may not contain the NUL character (U+0000)."] },
                    "Text may not contain the NUL character (U+0000). Nothing was changed."),
            // The database restarting or out of reach. Usually nothing was applied; if the
            // connection broke during the commit it may have been, and only a retry with the
            // same Idempotency-Key is then certain not to act twice.
            Npgsql.NpgsqlException { IsTransient: true } => Problem(StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                "The database could not be reached. Retry the request; with an Idempotency-Key a retry never acts twice."),
            _ => null,
        };
        if (problem?.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDatabaseUnavailable(http.Request.Method, http.Request.Path, exception.Message);
            http.Response.Headers.RetryAfter = "1";
        }
        if (problem?.Status == StatusCodes.Status429TooManyRequests)
            http.Response.Headers.RetryAfter = "1";
        if (problem is null)
        {
            LogUnhandled(exception, http.Request.Method, http.Request.Path);
            problem = Problem(StatusCodes.Status500InternalServerError, "Internal error",
                "The request failed on our side. It may be retried.");
        }

        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    [System.Text.RegularExpressions.GeneratedRegex("The JSON property '(?<name>[^']+)' could not be mapped")]
    private static partial System.Text.RegularExpressions.Regex UnmappedProperty();

    private static ProblemDetails BadRequest(BadHttpRequestException e)
    {
        if (e.InnerException is JsonException unmapped && UnmappedProperty().Match(unmapped.Message) is { Success: true } property)
        {
            // The path leads to the field ("$.source.reff"); the message names it too.
            var field = unmapped.Path is null or "$" ? property.Groups["name"].Value : FieldOf(unmapped.Path);
            return Validation(
                new Dictionary<string, string[]> { [field] = ["Unknown field: this operation does not take it. Nothing was changed."] },
                $"The request body has a field this operation does not know: {field}.");
        }
        if (e.InnerException is JsonException json)
        {
            // The reader's own exception means the text is not JSON at all; otherwise a value
            // did not fit the field it was sent for.
            var malformed = json.InnerException is JsonException || json.Path is null or "$";
            return Validation(
                new Dictionary<string, string[]>
                {
                    [malformed ? "body" : FieldOf(json.Path)] =
                        [malformed ? $"The body is not well-formed JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine})." : $"The value at {json.Path} has the wrong type or form."],
                },
                malformed ? "The request body is not valid JSON." : "The request body does not match this operation.");
        }
        // (A missing or unreadable body names its parameter too; it has its own answer below.)
        if (e.StatusCode == StatusCodes.Status400BadRequest && !e.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            && BoundParameter().Match(e.Message) is { Success: true } parameter)
        {
            // Query, route and header values that do not parse (e.g. limit=many): name the field,
            // as every other validation failure does.
            var field = parameter.Groups["name"].Value;
            return Validation(new Dictionary<string, string[]> { [field] = [$"The value of {field} has the wrong form or is missing."] },
                $"The parameter {field} is not valid for this operation.");
        }
        return e.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => Problem(e.StatusCode, "Request body too large", e.Message),
            StatusCodes.Status415UnsupportedMediaType => Problem(e.StatusCode, "Unsupported media type",
                "Send the body as application/json."),
            // "Required parameter ... from body", "Implicit body inferred ... but no body was provided".
            _ when e.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
                   && (e.Message.Contains("required", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("no body", StringComparison.OrdinalIgnoreCase))
                => Validation(new Dictionary<string, string[]> { ["body"] = ["This operation needs a JSON body."] }, "This operation needs a JSON body."),
            StatusCodes.Status400BadRequest => Validation(new Dictionary<string, string[]>(), e.Message),
            _ => Problem(e.StatusCode, ReasonPhrases.GetReasonPhrase(e.StatusCode), e.Message),
        };
    }

    // ASP.NET Core's binding messages: 'Failed to bind parameter "int limit" from "many".',
    // 'Required parameter "string team" was not provided from query string.'
    [System.Text.RegularExpressions.GeneratedRegex("parameter \"(?:[^\"]*\\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial System.Text.RegularExpressions.Regex BoundParameter();

    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
            return "body";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? "body" : field;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: database unavailable ({Reason}); answered 503")]
    private partial void LogDatabaseUnavailable(string method, string path, string reason);

    public static ProblemDetails Problem(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = TypeFor(status),
    };

    private static readonly Dictionary<int, string> Types = new()
    {
        [400] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
        [401] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
        [403] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
        [404] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
        [405] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
        [409] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
        [412] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.13",
        [413] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
        [415] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
        [422] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
        [429] = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        [500] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
        [503] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
    };

    public static string TypeFor(int status) => Types.GetValueOrDefault(status, "about:blank");

    /// <summary>Title and detail for a status produced without an exception (routing, auth).</summary>
    public static ProblemDetails ForStatus(int status) => status switch
    {
        401 => Problem(status, "Unauthenticated", "Send a valid bearer token in the Authorization header."),
        403 => Problem(status, "Not allowed", "The caller may not do this."),
        404 => Problem(status, "Not found", "No resource at this address."),
        405 => Problem(status, "Method not allowed", "This address does not accept this method."),
        413 => Problem(status, "Request body too large", "The request body exceeds the limit for this operation."),
        415 => Problem(status, "Unsupported media type", "Send the body as application/json."),
        504 => Problem(status, "Request timed out", "The request took longer than allowed and was stopped. It may be retried."),
        _ => Problem(status, ReasonPhrases.GetReasonPhrase(status), ReasonPhrases.GetReasonPhrase(status)),
    };

    /// <summary>Every 400 for input the service refuses: one title, the fields at fault under <c>errors</c>.</summary>
    private static HttpValidationProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors, string detail) =>
        new(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Invalid request",
            Detail = detail,
            Type = TypeFor(400),
        };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private partial void LogUnhandled(Exception exception, string method, string path);
}

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's Accept says
/// (API.md: every 4xx/5xx body is problem JSON). The framework's writer declines when Accept
/// names only, say, text/csv or text/event-stream, which left errors with an empty body, or made
/// the exception handler give up with a 500.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions,
            "application/problem+json", http.RequestAborted));
    }
}

public static class ProblemMappingExtensions
{
    public static IServiceCollection AddProblemMapping(this IServiceCollection services)
    {
        // Before AddProblemDetails: the first writer that can write is used.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemMapping>();
        // Make binding failures (malformed JSON, wrong types, wrong content type) reach the
        // mapper as exceptions, so they get the same problem details as everything else.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseProblemMapping(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            // A page address that leads nowhere (no route, or an item that does not exist) is the
            // site's not-found page, still a 404; programs get a problem body.
            if (http.Response.StatusCode == StatusCodes.Status404NotFound
                && http.RequestServices.GetService<INotFoundPage>() is { } page && page.Serves(http.Request.Path))
            {
                await page.Render(http);
                return;
            }
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = ProblemMapping.ForStatus(http.Response.StatusCode),
            });
        });
        return app;
    }
}

/// <summary>Answers a 404 at some addresses (the site's pages) with a page instead of a problem body; registered by the feature that serves them.</summary>
public interface INotFoundPage
{
    bool Serves(PathString path);

    Task Render(HttpContext http);
}
