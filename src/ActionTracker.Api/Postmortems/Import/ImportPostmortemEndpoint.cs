using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Domain;
using ActionTracker.Domain.ActionItems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace ActionTracker.Api.Postmortems.Import;

public sealed record ImportPostmortemRequest(
    string? Title,
    string? Ref,
    string? Team,
    string? Owner,
    string? Priority,
    string? Text,
    string? IncidentAt,
    string[]? Section = null,
    string[]? Candidates = null);

public sealed record PostmortemReference(string Ref, string Title);

public sealed record SkippedResponse(string Text, string Reason);

public sealed record ImportPostmortemResponse(
    PostmortemReference Postmortem, IReadOnlyList<ActionItemResponse> Created, IReadOnlyList<SkippedResponse> Skipped);

public static partial class ImportPostmortemEndpoint
{
    /// <summary>
    /// Documents are text, much longer than an item: the route's body limit is raised to this,
    /// room for the longest document (<see cref="MaxTextLength"/>) escaped inside a JSON body.
    /// </summary>
    public const long MaxBodyBytes = 2 * 1024 * 1024;

    /// <summary>The longest document: 1 MiB of characters (docs/configuration.md); a longer one is a 400 naming the field.</summary>
    public const int MaxTextLength = 1024 * 1024;

    public const int MaxRefLength = 100;

    private static readonly string[] TextTypes = ["text/markdown", "text/x-markdown", "text/plain"];

    public static RouteGroupBuilder MapImportPostmortem(this RouteGroupBuilder postmortems)
    {
        postmortems.MapPost("/", Handle)
            .WithName("ImportPostmortem")
            .WithSummary("Import a postmortem's action items: one item per action of its action sections, or of the sections named by `section`, " +
                         "or exactly the `candidates` chosen from a preview. " +
                         "Send JSON, or the document itself as text/markdown or text/plain with ref, team and title as query parameters. " +
                         "Re-importing the same ref creates only the actions not imported before (`created` is empty when there are none).")
            .WithRequestBodyLimit(MaxBodyBytes)
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
            {
                // The body is read by hand (JSON or a raw document), so describe both forms here.
                var json = await context.GetOrCreateSchemaAsync(typeof(ImportPostmortemRequest), null, ct);
                var text = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = json },
                        ["text/markdown"] = text,
                        ["text/plain"] = text,
                    },
                };
            });
        return postmortems;
    }

    private static async Task<Created<ImportPostmortemResponse>> Handle(
        HttpContext http,
        PostmortemImporter importer,
        ParsingSlots slots,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions,
        TimeProvider time,
        [FromQuery(Name = "ref")] string? reference,
        [FromQuery] string? team,
        [FromQuery] string? title,
        [FromQuery] string? owner,
        [FromQuery] string? priority,
        [FromQuery] string? incidentAt,
        [FromQuery] string[]? section,
        [FromQuery] string[]? candidates,
        CancellationToken ct)
    {
        using var slot = slots.Take(http.User.ToCaller());
        var body = await ReadBody(http, jsonOptions.Value.SerializerOptions,
            new ImportPostmortemRequest(title, reference, team, owner, priority, null, incidentAt, NullIfEmpty(section), NullIfEmpty(candidates)), ct);
        var caller = http.User.ToCaller();
        var import = ToImport(body, caller);
        var outcome = await importer.Import(import, caller, CommandRequest.MetadataOf(http, caller), ct);

        var now = time.GetUtcNow();
        var response = new ImportPostmortemResponse(
            new PostmortemReference(outcome.Ref, outcome.Title),
            outcome.Created.Select(c => ActionItemResponse.From(c.Item, c.Version, now)).ToList(),
            outcome.Skipped.Select(s => new SkippedResponse(s.Text, s.Reason)).ToList());
        // 201 even when a re-import finds nothing new (API.md): `created` is then empty and
        // `skipped` says why, so a client needs only one success status.
        return TypedResults.Created($"/api/postmortems/{Uri.EscapeDataString(outcome.Ref)}", response);
    }

    /// <summary>
    /// JSON as the body, or the document itself as text with the rest in the query string. Any other
    /// content type is a 415 naming the accepted ones.
    /// </summary>
    public static string[]? NullIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;

    public static async Task<ImportPostmortemRequest> ReadBody(
        HttpContext http, JsonSerializerOptions json, ImportPostmortemRequest query, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || type.MediaType.Value is not { } media)
            throw new UnsupportedContentType("Send the postmortem as application/json, text/markdown or text/plain.");

        if (http.Request.HasJsonContentType())
        {
            try
            {
                return await http.Request.ReadFromJsonAsync<ImportPostmortemRequest>(json, ct)
                       ?? throw new InvalidRequest("body", "The body is a JSON object: {title, ref, team, owner?, priority?, text, incidentAt?}.");
            }
            catch (JsonException e)
            {
                // The same problem details as a JSON body bound by the framework.
                throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, e);
            }
        }

        if (!TextTypes.Contains(media.ToLowerInvariant()))
            throw new UnsupportedContentType("Send the postmortem as application/json, text/markdown or text/plain.");
        Encoding encoding;
        try
        {
            encoding = type.Encoding ?? Encoding.UTF8;
        }
        catch (ArgumentException)
        {
            throw new UnsupportedContentType($"Unknown charset '{type.Charset}'; send the document as UTF-8.");
        }
        using var reader = new StreamReader(http.Request.Body, encoding);
        return query with { Text = await reader.ReadToEndAsync(ct) };
    }

    public static PostmortemImport ToImport(ImportPostmortemRequest body, Caller caller)
    {
        var errors = new Dictionary<string, string[]>();
        var reference = body.Ref?.Trim() ?? "";
        if (reference.Length == 0)
            errors["ref"] = ["The ref names the postmortem, e.g. pm-2026-11-02-registry."];
        else if (!RefPattern().IsMatch(reference))
            errors["ref"] = [$"The ref is 1 to {MaxRefLength} letters, digits, dots, dashes and underscores, starting with a letter or digit."];
        if (!Names.IsTeamSlug(body.Team))
            errors["team"] = [body.Team is null ? "The team the items are for is required." : $"The team is a slug: {Names.SlugRule}."];
        var title = body.Title?.Trim() ?? "";
        if (title.Length is 0 or > ActionItemDecider.MaxTitle)
            errors["title"] = [$"The postmortem's title is required, at most {ActionItemDecider.MaxTitle} characters."];
        if (string.IsNullOrWhiteSpace(body.Text))
            errors["text"] = ["The postmortem document is required (markdown or plain text)."];
        else if (body.Text.Length > MaxTextLength)
            errors["text"] = [$"The document has {body.Text.Length} characters; at most {MaxTextLength} are accepted."];
        else if (LongestLine(body.Text) is { Length: > PostmortemParser.MaxLineLength } longest)
            errors["text"] = [$"Line {longest.Line} of the document has {longest.Length} characters; a line has at most {PostmortemParser.MaxLineLength}."];
        var owner = body.Owner?.Trim() ?? caller.Id;
        if (!Names.IsUserId(owner))
            errors["owner"] = [$"The owner is a user id: {Names.UserIdRule}."];
        var priority = Wire.OptionalPriority(body.Priority, errors);
        DateTimeOffset? incidentAt = null;
        if (body.IncidentAt is not null)
        {
            if (TryParseInstant(body.IncidentAt, out var parsed))
                incidentAt = parsed;
            else
                errors["incidentAt"] = ["The incident's time is an RFC 3339 instant with an offset (2026-11-02T14:05:00Z) or a date (2026-11-02)."];
        }
        if (body.Section is { } sections && (sections.Length > 20 || sections.Any(string.IsNullOrWhiteSpace)))
            errors["section"] = ["Name up to 20 headings of the document, as a preview lists them."];
        if (body.Candidates is { } chosen && (chosen.Length > PostmortemImporter.MaxActions || chosen.Any(string.IsNullOrWhiteSpace)))
            errors["candidates"] = [$"Choose up to {PostmortemImporter.MaxActions} candidates, each the text of one as a preview lists it."];
        if (errors.Count > 0)
            throw new InvalidRequest(errors);
        return new PostmortemImport(reference, title, body.Team!, owner, priority, incidentAt, body.Text!, body.Section, body.Candidates);
    }

    /// <summary>The document's longest line (the first, of equals) and its length, line ends of any kind.</summary>
    private static (int Line, int Length) LongestLine(string text)
    {
        var (line, longest, longestLine, start) = (1, 0, 1, 0);
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] is not ('\n' or '\r'))
                continue;
            if (i - start > longest)
                (longest, longestLine) = (i - start, line);
            if (i + 1 < text.Length && text[i] == '\r' && text[i + 1] == '\n')
                i++;
            (line, start) = (line + 1, i + 1);
        }
        return (longestLine, longest);
    }

    /// <summary>As due dates are read, except that a date alone means the start of that day (UTC).</summary>
    private static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            instant = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }
        return Wire.TryParseDueAt(text, out instant);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex RefPattern();
}
