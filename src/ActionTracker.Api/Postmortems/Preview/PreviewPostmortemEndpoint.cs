using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Postmortems.Import;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ActionTracker.Api.Postmortems.Preview;

public sealed record PreviewSection(string Heading, string Kind, int Line);

public sealed record PreviewCandidate(string Text, string Section, int Line, double Confidence, string Reason);

public sealed record PostmortemPreviewResponse(IReadOnlyList<PreviewSection> Sections, IReadOnlyList<PreviewCandidate> Candidates);

public static class PreviewPostmortemEndpoint
{
    public static RouteGroupBuilder MapPreviewPostmortem(this RouteGroupBuilder postmortems)
    {
        postmortems.MapPost("/preview", Handle)
            .WithName("PreviewPostmortem")
            .WithSummary("What an import of the document would take, creating nothing: its sections (actions, prose or other) and the " +
                         "candidates with their section, line, confidence and the reason each was taken. Same input as the import; " +
                         "then import the chosen ones with `candidates`, or name sections with `section`.")
            .WithRequestBodyLimit(ImportPostmortemEndpoint.MaxBodyBytes);
        return postmortems;
    }

    private static async Task<Ok<PostmortemPreviewResponse>> Handle(
        HttpContext http,
        ParsingSlots slots,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions,
        [FromQuery(Name = "ref")] string? reference,
        [FromQuery] string? team,
        [FromQuery] string? title,
        [FromQuery] string? owner,
        [FromQuery] string? priority,
        [FromQuery] string? incidentAt,
        [FromQuery] string[]? section,
        CancellationToken ct)
    {
        using var slot = slots.Take(http.User.ToCaller());
        var body = await ImportPostmortemEndpoint.ReadBody(http, jsonOptions.Value.SerializerOptions,
            new ImportPostmortemRequest(title, reference, team, owner, priority, null, incidentAt, ImportPostmortemEndpoint.NullIfEmpty(section)), ct);
        var caller = http.User.ToCaller();
        var import = ImportPostmortemEndpoint.ToImport(body with { Candidates = null }, caller);
        PostmortemImporter.EnsureMayImport(import.Team, caller);
        var parsed = PostmortemImporter.Read(import, ct);
        return TypedResults.Ok(new PostmortemPreviewResponse(
            parsed.Sections.Select(s => new PreviewSection(s.Heading, Wire(s.Kind), s.Line)).ToList(),
            PostmortemPreview.Candidates(parsed).Select(c => new PreviewCandidate(c.Text, c.Section, c.Line, c.Confidence, c.Reason)).ToList()));
    }

    private static string Wire(SectionKind kind) => kind switch
    {
        SectionKind.Action => "actions",
        SectionKind.Prose => "prose",
        _ => "other",
    };
}
