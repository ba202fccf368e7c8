namespace ActionTracker.Api.Postmortems.Preview;

/// <summary>
/// What an import of the document would take, and how sure the parser is of each: an entry of an
/// action section is almost surely an action; a commitment sentence of a prose section about
/// prevention or follow-up is one worded by the parser, to be confirmed by a person.
/// </summary>
/// <param name="Description">The entry's further lines, or the sentence a commitment was worded from.</param>
public sealed record Candidate(string Text, string? Description, string Section, int Line, double Confidence, string Reason, string Fingerprint, bool Checked);

public static class PostmortemPreview
{
    public const double ActionEntry = 0.9;
    public const double Commitment = 0.6;

    public static IReadOnlyList<Candidate> Candidates(ParsedPostmortem parsed)
    {
        var candidates = parsed.Actions
            .Select(a => new Candidate(a.Title, a.Description, a.Section, a.Line, ActionEntry,
                $"an entry of the action section \"{a.Section}\"", a.Fingerprint, a.Checked))
            .ToList();
        var seen = candidates.Select(c => c.Fingerprint).ToHashSet(StringComparer.Ordinal);
        foreach (var block in parsed.Prose)
            foreach (var (action, sentence, offset) in Commitments.In(block.Text))
            {
                var fingerprint = PostmortemParser.Fingerprint(action);
                if (seen.Add(fingerprint))
                    candidates.Add(new Candidate(action, sentence, block.Section, block.LineAt(offset), Commitment,
                        $"a commitment in the prose section \"{block.Section}\": \"{Quote(sentence)}\"", fingerprint, false));
            }
        return candidates.OrderBy(c => c.Line).ToList();
    }

    private static string Quote(string sentence) => sentence.Length <= 80 ? sentence : sentence[..77] + "…";
}
